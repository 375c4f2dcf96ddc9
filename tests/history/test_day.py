"""DayRecord and its versioned JSON codec."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from maas.history import DayRecordError, day_digest, day_from_json, day_to_json
from maas.history.day import BASE_VERSION, SCHEMA, VERSION, BookingRecord
from tests.history.week import closed_day

DAY = dt.date(2026, 11, 2)


def test_json_round_trip() -> None:
    """A record survives JSON unchanged, and equal records give equal text and digest."""
    record = closed_day(DAY)
    text = day_to_json(record)
    assert day_from_json(text) == record
    assert day_to_json(day_from_json(text)) == text
    assert day_digest(closed_day(DAY)) == day_digest(record)
    assert day_digest(closed_day(DAY, seed=1)) != day_digest(record)


def test_json_names_its_schema_never_a_class() -> None:
    """The JSON carries schema name and version, and no Python class name."""
    data = json.loads(day_to_json(closed_day(DAY)))
    assert (data["schema"], data["version"]) == (SCHEMA, BASE_VERSION)  # no v2 fields used
    text = json.dumps(data)
    for name in ("DayRecord", "BookingRecord", "VanDayRecord", "StatusChange", "__"):
        assert name not in text


def test_a_newer_version_or_other_schema_is_refused() -> None:
    """A record from a newer engine, or not a day record at all, is refused by name."""
    data = json.loads(day_to_json(closed_day(DAY)))
    with pytest.raises(DayRecordError, match=r"day\.version"):
        day_from_json(json.dumps({**data, "version": VERSION + 1}))
    with pytest.raises(DayRecordError, match=r"day\.schema"):
        day_from_json(json.dumps({**data, "schema": "something.else"}))


def test_a_bad_field_is_named() -> None:
    """Errors name the field path: a wrong type, a time without zone, a missing promise."""
    data = json.loads(day_to_json(closed_day(DAY)))
    data["bookings"][3]["passengers"] = "two"
    with pytest.raises(DayRecordError, match=r"day\.bookings\[3\]\.passengers"):
        day_from_json(json.dumps(data))
    data = json.loads(day_to_json(closed_day(DAY)))
    data["vans"][0]["shift_start"] = "2026-11-02T07:00:00"
    with pytest.raises(DayRecordError, match=r"day\.vans\[0\]\.shift_start.*no time zone"):
        day_from_json(json.dumps(data))
    with pytest.raises(DayRecordError, match="not JSON"):
        day_from_json("{")


def test_booking_rules() -> None:
    """A completed ride has both times; other rides have none; booked rides keep promises."""
    record = closed_day(DAY)
    done = next(b for b in record.bookings if b.status == "completed")
    with pytest.raises(DayRecordError, match="dropped_off_at"):
        dataclasses.replace(done, dropped_off_at=None)
    with pytest.raises(DayRecordError, match="only a completed ride"):
        dataclasses.replace(done, status="cancelled")
    with pytest.raises(DayRecordError, match="pickup_earliest"):
        dataclasses.replace(done, status="no_show", picked_up_at=None, dropped_off_at=None,
                            pickup_earliest=None)
    with pytest.raises(DayRecordError, match="status"):
        dataclasses.replace(done, status="lost")  # type: ignore[arg-type]
    with pytest.raises(DayRecordError, match="appears twice"):
        dataclasses.replace(record, bookings=(*record.bookings, record.bookings[0]))
    with pytest.raises(DayRecordError, match="timezone"):
        dataclasses.replace(record, timezone="Mars/Olympus")
    assert isinstance(done, BookingRecord) and done.people == done.passengers + done.wheelchairs
