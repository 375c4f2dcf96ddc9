"""A driver break whose window has closed lies behind the van: plans ahead no longer hold it."""

from __future__ import annotations

from maas.domain import Break, Location, TimeWindow, Vehicle, VehicleType
from solver.dispatch.planning import without_passed_break

DEPOT = Location(43.0, 142.0)


def _van() -> Vehicle:
    return Vehicle("v1", VehicleType(), DEPOT, TimeWindow(7 * 3600, 18 * 3600),
                   break_=Break(TimeWindow(11 * 3600 + 1800, 12 * 3600 + 1800), 1800))


def test_break_kept_while_its_window_is_open() -> None:
    """Until the latest start of the break has passed, the van still owes its break."""
    assert without_passed_break(_van(), 12 * 3600 + 1800).break_ is not None
    assert without_passed_break(_van(), 9 * 3600).break_ is not None


def test_break_dropped_once_its_window_has_closed() -> None:
    """After the latest start, the route ahead carries no break (it was taken or missed)."""
    assert without_passed_break(_van(), 12 * 3600 + 1801).break_ is None
