"""``GET /v1/places?query=``: the town's named places for address entry in phone booking,
offline (``maas.roads.gazetteer``: the service file's places, the network's places and
hamlets, its road names, an OSM file's ``addr:*`` addresses), Japanese names first."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import RuntimeDep, Staff

router = APIRouter(prefix="/v1/places", tags=["places"])


class PlaceFound(BaseModel):
    name: str
    lat: float
    lon: float
    kind: Literal["place", "hamlet", "road", "address"]


class PlaceList(BaseModel):
    places: list[PlaceFound]


@router.get("", response_model=PlaceList)
async def find_places(
    _: Staff, rt: RuntimeDep,
    query: Annotated[str, Query(min_length=1, max_length=100, description="(part of) a name")],
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> PlaceList:
    """Named places matching ``query``, best first (staff)."""
    return PlaceList(places=[PlaceFound(name=p.name, lat=p.lat, lon=p.lon, kind=p.kind)
                             for p in rt.places.search(query, limit)])
