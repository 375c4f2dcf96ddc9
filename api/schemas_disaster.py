"""Bodies of disaster mode and the welfare list (issue 16): ``POST /v1/disaster``, its
answer, ``GET /v1/disaster``, ``POST /v1/disaster/{id}/end``, ``GET /v1/reports/welfare``."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from api.schemas import Name, PolygonGeometry, Strict


class DisasterCreate(Strict):
    """A flood or landslide: the polygons whose roads close at once. With ``evacuate`` the
    fleet fetches the registered riders living in ``hazard_zones`` (names from the service
    file; default all of them) to the nearest reachable shelter, and ordinary bookings pause."""

    name: Name
    kind: Literal["flood", "landslide", "other"] = "flood"
    areas: Annotated[list[PolygonGeometry], Field(min_length=1, max_length=50)]
    evacuate: bool = False
    hazard_zones: Annotated[list[Annotated[str, Field(max_length=100)]],
                            Field(max_length=50)] | None = None


class EvacuationRide(BaseModel):
    """An evacuation ride booked: whom, on which van, to which shelter."""

    booking_id: str
    rider_id: str | None
    vehicle_id: str
    shelter: str | None


class DisasterPublic(BaseModel):
    """An event as recorded: its closures and evacuation settings."""

    id: str
    name: str
    kind: str
    status: Literal["active", "ended"]
    started_at: str
    ended_at: str | None = None
    evacuate: bool
    hazard_zones: list[str]
    closure_ids: list[str]


class DisasterDeclared(DisasterPublic):
    """What the declaration did: rides whose promise breaks or that were bumped for the
    evacuation, the evacuation rides booked, the registered riders still waiting for a van."""

    affected_bookings: list[str]
    bumped_bookings: list[str]
    registered: int
    evacuation_rides: list[EvacuationRide]
    waiting_riders: list[str]


class DisasterCurrent(BaseModel):
    """The event in force, or none."""

    event: DisasterPublic | None


class DisasterEnded(DisasterPublic):
    """The end: bookings whose promise changed as the roads reopened; evacuees never picked up."""

    affected_bookings: list[str]
    dropped_evacuees: list[str]


class WelfareRider(BaseModel):
    """A flagged rider with repeated no-shows (never cancelled) in the period."""

    rider_id: str
    name: str | None
    phone: str | None
    lives_alone: bool
    registered_elderly: bool
    contact_name: str | None
    contact_phone: str | None
    no_shows: int
    dates: list[str]
    booking_ids: list[str]


class WelfareList(BaseModel):
    """For the town's welfare office: who keeps not showing up."""

    since: str
    until: str
    threshold: int
    history_included: bool  # false: the trip history was unavailable, open days only
    riders: list[WelfareRider]
