"""``/healthz`` (the process runs), ``/readyz`` (Redis answers, network loaded), ``/metrics``."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from api.deps import RuntimeDep
from api.errors import ApiError
from api.metrics import registry

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """Liveness: the process answers."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(request: Request, rt: RuntimeDep) -> dict[str, str]:
    """Readiness: Redis answers and the road network is loaded."""
    try:
        await rt.store.redis.ping()
    except Exception as exc:
        raise ApiError(503, "redis_unreachable", f"Redis does not answer: {exc}") from exc
    if rt.network is None:
        raise ApiError(503, "network_not_loaded", "the road network is not loaded yet")
    return {"status": "ready", "area": rt.store.area}


@router.get("/metrics", response_class=Response)
async def metrics() -> Response:
    """Prometheus metrics, summed over the service's worker processes (``api.metrics``)."""
    return Response(generate_latest(registry()), media_type=CONTENT_TYPE_LATEST)
