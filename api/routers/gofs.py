"""``GET /gofs/{feed}.json``: the running service as a GOFS-lite v1.0 dataset (discovery file
``/gofs/gofs.json``), the same documents ``maas export gofs`` writes. Public, like
``GET /v1/service``: it names no rider and no van. Include it with
``app.include_router(gofs.router)``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from api.deps import RuntimeDep
from api.errors import ApiError
from maas.errors import InvalidInput
from maas.publish.gofs import FEEDS, GofsOptions, gofs_documents

router = APIRouter(prefix="/gofs", tags=["gofs"])


def _documents(rt: RuntimeDep, request: Request) -> dict[str, dict[str, Any]]:
    now = rt.clock.now()
    base = str(request.url_for("gofs_feed", feed="gofs")).removesuffix("/gofs.json")
    opts = GofsOptions(start=rt.days.today(), last_updated=int(now.timestamp()),
                       base_url=base, days=max(rt.service.booking.days_ahead + 1, 1))
    return gofs_documents(rt.service, opts)


@router.get("/{feed}.json", name="gofs_feed")
async def gofs_feed(feed: str, rt: RuntimeDep, request: Request) -> dict[str, Any]:
    """One GOFS-lite document: ``gofs`` or one of the feeds it lists."""
    if feed != "gofs" and feed not in FEEDS:
        raise ApiError(404, "unknown_feed",
                       f"no GOFS-lite feed {feed!r}; feeds: gofs, {', '.join(FEEDS)}")
    try:
        return _documents(rt, request)[feed]
    except InvalidInput as exc:  # a service without a service area or zones
        raise ApiError(404, "no_service_area", str(exc)) from exc
