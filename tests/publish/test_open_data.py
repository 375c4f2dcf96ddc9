"""Open trip data: k distinct riders in every published cell, and one rider's weight."""

from __future__ import annotations

import csv
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from cli import app
from maas.history import BookingRecord, DayRecord, HistoryStore, Month
from maas.publish.mesh import centre, mesh_code, parent
from maas.publish.open_data import (
    CellKey,
    OpenDataError,
    Ride,
    od_table,
    rides_of,
    write_open_data,
)

# The four 500 m quarters of two neighbouring 1 km squares in the demo town, so that rides
# share blocks often (fine cells, merged blocks and suppressed ones all occur).
_SQUARES = (mesh_code(43.0125, 142.0281, "1km"), mesh_code(43.0125, 142.0406, "1km"))
POINTS = [centre(sq + q) for sq in _SQUARES for q in "1234"]


def _in_cell(r: Ride, key: CellKey, band_hours: int) -> bool:
    return (r.hour // band_hours * band_hours == key.band_start
            and mesh_code(r.origin_lat, r.origin_lon, key.level) == key.origin
            and mesh_code(r.destination_lat, r.destination_lon, key.level) == key.destination)


def _block(r: Ride, level: str, band_hours: int) -> tuple[str, str, int]:
    return (parent(mesh_code(r.origin_lat, r.origin_lon, level)),  # type: ignore[arg-type]
            parent(mesh_code(r.destination_lat, r.destination_lon, level)),  # type: ignore[arg-type]
            r.hour // band_hours * band_hours)


rides_strategy = st.lists(
    st.builds(lambda rider, o, d, hour, people: Ride(f"r{rider}", *POINTS[o], *POINTS[d],
                                                      hour, people),
              st.integers(0, 14), st.integers(0, len(POINTS) - 1),
              st.integers(0, len(POINTS) - 1), st.sampled_from([8, 9, 10, 14]),
              st.integers(1, 3)),
    max_size=120)


def _r(rider: str, o: int, d: int) -> Ride:
    return Ride(rider, *POINTS[o], *POINTS[d], 9, 1)


# A fine cell at exactly k beside two single-rider cells of the same block: publishing the
# fine cell and merging only the rest upward would let one rider's removal push the others'
# rides into the coarse cell (a change bigger than their own rides).
CASCADE = [_r("r0", 0, 0), _r("r1", 0, 0), _r("r2", 1, 0), _r("r3", 2, 0)]


@settings(max_examples=300, deadline=None)
@example(CASCADE, 2, "500m", 3)
@given(rides_strategy, st.integers(2, 6), st.sampled_from(["500m", "1km"]),
       st.sampled_from([1, 3]))
def test_k_riders_per_cell_and_one_riders_weight(rides: list[Ride], k: int, level: str,
                                                 band_hours: int) -> None:
    table = od_table(rides, k=k, level=level, band_hours=band_hours)  # type: ignore[arg-type]
    for cell in table.cells:
        members = [r for r in rides if _in_cell(r, cell.key, band_hours)]
        assert len({r.rider_id for r in members}) >= k  # k distinct riders, recounted
        assert cell.rides <= len(members)
    # every ride in at most one published cell; the rest are counted as suppressed
    assert sum(c.rides for c in table.cells) + table.suppressed_rides == len(rides)
    for i, a in enumerate(table.cells):
        for b in table.cells[i + 1:]:
            assert not any(_in_cell(r, a.key, band_hours) and _in_cell(r, b.key, band_hours)
                           for r in rides)
    before = table.by_key()
    for rider in sorted({r.rider_id for r in rides}):
        own = [r for r in rides if r.rider_id == rider]
        after = od_table([r for r in rides if r.rider_id != rider], k=k,
                         level=level, band_hours=band_hours).by_key()  # type: ignore[arg-type]
        own_blocks = {_block(r, level, band_hours) for r in own}
        for key in before.keys() | after.keys():
            mine = [r for r in own if _in_cell(r, key, band_hours)]
            if key in before and key in after:
                assert 0 <= before[key].rides - after[key].rides <= len(mine)
                assert 0 <= before[key].people - after[key].people <= sum(r.people for r in mine)
            else:
                # a cell appears or disappears only in a block of the rider's own rides
                block = (key.origin, key.destination, key.band_start) \
                    if key.level != level else \
                    (parent(key.origin), parent(key.destination), key.band_start)
                assert block in own_blocks


def test_small_cells_merge_upward_or_are_suppressed() -> None:
    square = mesh_code(*POINTS[0], "1km")
    a, b = centre(square + "1"), centre(square + "2")  # two 500 m quarters of one square
    assert mesh_code(*a, "500m") != mesh_code(*b, "500m")
    assert mesh_code(*a, "1km") == mesh_code(*b, "1km")
    many = [Ride(f"r{i}", *a, *a, 9, 1) for i in range(5)]
    few = [Ride(f"s{i}", *b, *a, 9, 1) for i in range(2)]
    fine = od_table(many, k=5, level="500m")
    assert [(c.key.level, c.rides) for c in fine.cells] == [("500m", 5)]
    merged = od_table(many + few, k=5, level="500m")
    assert [(c.key.level, c.rides, c.key.origin) for c in merged.cells] == [
        ("1km", 7, mesh_code(*a, "1km"))]
    alone = od_table(few, k=5, level="500m")
    assert alone.cells == () and alone.suppressed_rides == 2
    with pytest.raises(OpenDataError, match="k:"):
        od_table(many, k=1)
    with pytest.raises(OpenDataError, match="band_hours"):
        od_table(many, band_hours=5)


def _day(d: date, rides: list[tuple[str | None, int]]) -> DayRecord:
    tz_offset = timedelta(hours=9)
    bookings = []
    for i, (rider, hour) in enumerate(rides):
        start = datetime(d.year, d.month, d.day, hour, 17, tzinfo=UTC) - tz_offset
        bookings.append(BookingRecord(
            id=f"b{d.day}-{i}", status="completed", passengers=1, wheelchairs=0,
            origin_lat=POINTS[0][0], origin_lon=POINTS[0][1],
            destination_lat=POINTS[7][0], destination_lon=POINTS[7][1],
            booked_at=start - timedelta(hours=20), rider_id=rider,
            pickup_earliest=start, pickup_latest=start + timedelta(minutes=10),
            dropoff_by=start + timedelta(minutes=40), picked_up_at=start,
            dropped_off_at=start + timedelta(minutes=6 + 2 * (i % 5) + i % 3),
            direct_s=300 + 60 * (i % 5), direct_m=5000))
    return DayRecord(area="demo", date=d, timezone="Asia/Tokyo",
                     closed_at=datetime(d.year, d.month, d.day, 12, tzinfo=UTC),
                     bookings=tuple(bookings))


def test_open_data_command_through_a_history(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    with HistoryStore(url) as store:
        store.migrate()
        store.import_day(_day(date(2026, 12, 7), [(f"r{i}", 9) for i in range(6)]
                              + [("lonely", 15), (None, 9)]))
        store.import_day(_day(date(2026, 12, 8), [(f"r{i}", 10) for i in range(3)]))
    out = tmp_path / "od"
    result = CliRunner().invoke(app, ["export", "open-data", "--history", url,
                                      "--month", "2026-12", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader((out / "od_counts.csv").open(encoding="utf-8")))
    # 09:17 and 10:17 fall in the 09-12 band; the 15:17 ride is alone: suppressed
    assert [(r["hour_band"], r["rides"], r["mesh_level"]) for r in rows] == [("09-12", "9", "1km")]
    text = (out / "od_counts.csv").read_text(encoding="utf-8")
    assert "r1" not in text and "lonely" not in text and ":" not in text  # no ids, no clocks
    meta = json.loads((out / "metadata.json").read_text(encoding="utf-8"))
    assert meta["license"] == "CC-BY-4.0" and meta["privacy"]["k"] == 5
    assert (meta["rides_published"], meta["rides_suppressed"],
            meta["rides_without_rider_id"]) == (9, 1, 1)
    fields = [r["field"] for r in csv.DictReader((out / "data_dictionary.csv").open())]
    assert fields == list(rows[0].keys())


def test_rides_of_and_license() -> None:
    day = _day(date(2026, 12, 7), [("r1", 9), (None, 9)])
    rides, without = rides_of([day])
    assert [(r.rider_id, r.hour) for r in rides] == [("r1", 9)] and without == 1
    table = od_table(rides, k=2)
    with pytest.raises(OpenDataError, match="license"):
        write_open_data(table, Path("/tmp/never"), area="demo", month=Month(2026, 12),
                        license_id="my-own")
