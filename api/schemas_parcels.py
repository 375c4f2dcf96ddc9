"""Request and response bodies of the parcel endpoints (貨客混載, contract v1):
``/v1/shippers`` (the operator registers a shop, the post office or a farm) and
``/v1/parcels`` (a shipper hands in a parcel and follows it)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, ValidationInfo, field_validator

from api.schemas import LatLon, Moment, Name, Strict, TimeWindowPublic

ShipperKind = Literal["shop", "post_office", "farm", "depot", "other"]


class ShipperCreate(Strict):
    """A shipper the operator registers; it gets a token of the shipper role."""

    name: Name
    kind: ShipperKind = "shop"
    phone: Annotated[str, Field(max_length=40)] | None = None


class ShipperPublic(BaseModel):
    """A registered shipper."""

    id: str
    name: str
    kind: ShipperKind
    phone: str | None = None


class ShipperCreated(ShipperPublic):
    """A new shipper and its token (shown once)."""

    token: str


class ParcelCreate(Strict):
    """A parcel handed in: where to collect it and where to deliver it, its weight and
    volume, and optionally from when it can be collected and by when it must arrive
    (default: the service file's parcel window, "today" = by closing time)."""

    pickup: LatLon
    delivery: LatLon
    kg: int = Field(ge=0, le=1_000)
    litres: int = Field(ge=0, le=5_000)
    pickup_after: Moment | None = None
    deliver_by: Moment | None = None

    @field_validator("litres")
    @classmethod
    def _some_load(cls, value: int, info: ValidationInfo) -> int:
        if value + int(info.data.get("kg") or 0) < 1:
            msg = "a parcel weighs or fills something: kg and litres are both 0"
            raise ValueError(msg)
        return value

    @field_validator("deliver_by")
    @classmethod
    def _after_pickup(cls, value: datetime | None, info: ValidationInfo) -> datetime | None:
        after = info.data.get("pickup_after")
        if value is not None and after is not None and value <= after:
            msg = "deliver_by must come after pickup_after"
            raise ValueError(msg)
        return value


ParcelState = Literal["waiting", "planned", "picked_up", "delivered", "returning", "returned",
                      "cancelled"]


class ParcelPublic(BaseModel):
    """A parcel and where it stands: ``waiting`` for a van with room, ``planned`` on a
    van's route, ``picked_up``, ``delivered``; nobody home: ``returning``, then
    ``returned`` (to the depot or its pickup point)."""

    id: str
    status: ParcelState
    service_date: str
    shipper_id: str | None
    vehicle_id: str | None
    pickup: LatLon
    delivery: LatLon
    kg: int
    litres: int
    pickup_window: TimeWindowPublic
    deliver_by: str
    planned_pickup: str | None = None
    planned_delivery: str | None = None


class ParcelList(BaseModel):
    """Parcels, newest first."""

    parcels: list[ParcelPublic]
