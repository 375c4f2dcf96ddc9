"""Bodies of the shift endpoints (``/v1/vehicles/{id}/shifts``): a van's weekly pattern,
one date's override, and what is in force with where each part comes from."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Clock = Annotated[str, Field(pattern=r"^\d{2}:[0-5]\d$", examples=["07:30"],
                             description="HH:MM from the service date's midnight "
                                         "(past 24:00 for a shift over midnight)")]


class BreakJson(BaseModel):
    """A break of ``minutes`` that starts between ``earliest`` and ``latest``."""

    model_config = ConfigDict(extra="forbid")

    earliest: Clock
    latest: Clock
    minutes: Annotated[int, Field(ge=1, le=240)]


class ShiftJson(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: Clock
    end: Clock
    break_: BreakJson | None = Field(default=None, alias="break")


class WeekJson(BaseModel):
    """A shift per weekday; a weekday left out (or null) is a day off."""

    model_config = ConfigDict(extra="forbid")

    mon: ShiftJson | None = None
    tue: ShiftJson | None = None
    wed: ShiftJson | None = None
    thu: ShiftJson | None = None
    fri: ShiftJson | None = None
    sat: ShiftJson | None = None
    sun: ShiftJson | None = None


class ShiftsPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    week: WeekJson


class OverridePut(BaseModel):
    """One date: ``off``, or other hours (``start``, ``end``, optional ``break``)."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    off: bool = False
    start: Clock | None = None
    end: Clock | None = None
    break_: BreakJson | None = Field(default=None, alias="break")
    reason: Annotated[str, Field(max_length=200)] = ""


class OverrideJson(BaseModel):
    first: str
    last: str
    shift: ShiftJson | None
    reason: str
    source: Literal["service_file", "api"]


class ShiftsPublic(BaseModel):
    """What the van works: its weekly pattern and the overrides, each with its source."""

    vehicle_id: str
    week: WeekJson
    week_source: Literal["service_file", "api"]
    overrides: list[OverrideJson]
    updated_at: str | None
    updated_by: str | None
    applied_to: list[str] = Field(default_factory=list,
                                  description="open days this edit changed")
