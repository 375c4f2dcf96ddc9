"""The operator's console (``/console``) and the driver's page (``/driver``): static pages
built from ``frontend/`` (their built files are committed under ``api/static``, so serving
them needs no node), plus ``GET /v1/service/roads``, the service area's roads as GeoJSON so
that the pages draw their map offline, without a tile server.

The pages hold no state of their own: they read and write only through the public API and
its event stream.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles

from api.deps import RuntimeDep
from maas.roads import RoadNetwork

STATIC = Path(__file__).resolve().parent.parent / "static"

#: Road classes drawn thicker (the rest are drawn thin).
_MAJOR = {"motorway", "trunk", "primary", "secondary", "tertiary",
          "motorway_link", "trunk_link", "primary_link", "secondary_link", "tertiary_link"}

router = APIRouter(tags=["ui"])


def _r(x: float) -> float:
    return round(float(x), 5)


def roads_geojson(network: RoadNetwork) -> dict[str, Any]:
    """The network's roads as one GeoJSON ``FeatureCollection`` of two ``MultiLineString``
    features (``class``: ``major`` / ``minor``), one line per road in either direction,
    coordinates rounded to about a metre."""
    graph = network.graph
    seen: set[tuple[Any, Any]] = set()
    lines: dict[str, list[list[list[float]]]] = {"major": [], "minor": []}
    for u, v, data in graph.edges(data=True):
        if (v, u) in seen or (u, v) in seen:
            continue
        seen.add((u, v))
        geometry = data.get("geometry")
        if geometry is not None:
            coords = [[_r(x), _r(y)] for x, y in geometry.coords]
        else:
            a, b = graph.nodes[u], graph.nodes[v]
            coords = [[_r(a["x"]), _r(a["y"])], [_r(b["x"]), _r(b["y"])]]
        highway = data.get("highway")
        classes = set(highway) if isinstance(highway, list) else {highway}
        lines["major" if classes & _MAJOR else "minor"].append(coords)
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"class": name},
         "geometry": {"type": "MultiLineString", "coordinates": coords}}
        for name, coords in lines.items()]}


@router.get("/v1/service/roads", tags=["service"],
            responses={200: {"description": "GeoJSON FeatureCollection of the roads"}})
async def get_roads(request: Request, rt: RuntimeDep) -> JSONResponse:
    """The service area's roads (public, like ``GET /v1/service``), for maps drawn offline."""
    # The network is loaded once per process; its drawing is kept beside it on the app.
    cached = getattr(request.app.state, "roads_geojson", None)
    if cached is None or cached[0] is not rt.network:
        cached = (rt.network, roads_geojson(rt.network))
        request.app.state.roads_geojson = cached
    return JSONResponse(cached[1], headers={"Cache-Control": "public, max-age=3600"})


@router.get("/", include_in_schema=False)
async def root() -> RedirectResponse:
    return RedirectResponse("/console/")


def mount_pages(app: FastAPI) -> None:
    """Serve the built pages at ``/console/`` and ``/driver/``, the style sheets they share
    at ``/common/`` (and the router above)."""
    app.include_router(router)
    for page in ("console", "driver", "common"):
        app.mount(f"/{page}", StaticFiles(directory=STATIC / page, html=True), name=page)
