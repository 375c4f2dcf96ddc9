"""Seasonal winter closures (冬期通行止め): tags, the demo pass, flag or date, operator closures."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import numpy as np
import pytest
from typer.testing import CliRunner

from cli import app
from maas.domain import Location
from maas.roads import UNREACHABLE, Closure, RoadNetwork, load_network
from maas.roads.filtering import closed_days, is_drivable
from maas.roads.winter import day_of_year, days_text, parse_days_text

PASS, DETOUR = "道道鹿越峠線", "道道鹿越川線"


@pytest.fixture
def town(demo_network: RoadNetwork) -> Iterator[RoadNetwork]:
    """The demo town, back in summer with no closures after the test."""
    yield demo_network
    demo_network.apply_closures([])
    demo_network.set_winter(False)


def _named(net: RoadNetwork, name: str) -> frozenset[tuple[int, int, int]]:
    """Directed edges of the road called ``name``."""
    return frozenset(
        (u, v, k)
        for u, v, k, d in net.graph.edges(keys=True, data=True)
        if name in (d.get("name") if isinstance(d.get("name"), list) else [d.get("name")])
    )


def _pass_closed(net: RoadNetwork) -> bool:
    edges = _named(net, PASS)
    states = {bool(net.closed[net.edge_index[e]]) for e in edges}
    assert len(edges) >= 2 and len(states) == 1  # both directions, all pieces alike
    return states.pop()


def _station_and_togeshita(net: RoadNetwork) -> tuple[Location, Location]:
    places, hamlets = net.graph.graph["places"], net.graph.graph["hamlets"]
    return net.snap(*places["station"]), net.snap(*hamlets["Togeshita"])


def _closed_on(tags: dict[str, str], day: str) -> bool:
    month, dom = (int(x) for x in day.split("-"))
    return bool(
        closed_days({"highway": "secondary", **tags})[day_of_year(dt.date(2024, month, dom))]
    )


def test_pass_closes_in_winter_and_reopens_in_summer(town: RoadNetwork) -> None:
    """The winter flag closes the pass (its km reported, version bumped); summer reopens it."""
    assert not _pass_closed(town) and town.info()["seasonal_closed_km"] == 0
    version = town.version
    assert town.set_winter(True) and town.version == version + 1
    assert _pass_closed(town) and town.winter
    pass_km = sum(town.graph.edges[e]["length"] for e in _named(town, PASS)) / 2000
    assert town.info()["seasonal_closed_km"] == pytest.approx(pass_km, abs=1e-3) and pass_km > 4
    assert not town.set_winter(True) and town.version == version + 1
    assert town.set_winter(False) and town.version == version + 2
    assert not _pass_closed(town) and town.info()["seasonal_closed_km"] == 0


def test_a_date_decides_by_the_closure_days(town: RoadNetwork) -> None:
    """July leaves the pass open; 20 Nov closes it with summer speeds; January closes both."""
    assert not load_network("demo", winter=dt.date(2025, 7, 15)).info()["seasonal_closed_km"]
    assert _pass_closed(load_network("demo", winter=dt.date(2026, 1, 10)))
    town.set_winter(dt.date(2025, 7, 15))
    assert not _pass_closed(town) and not town.winter
    town.set_winter(dt.date(2025, 11, 20))  # tagged closed Nov 15-Apr 30
    assert _pass_closed(town) and not town.winter
    town.set_winter(dt.date(2025, 11, 14))
    assert not _pass_closed(town)
    town.set_winter(dt.date(2026, 4, 30))
    assert _pass_closed(town) and not town.winter
    town.set_winter(dt.date(2026, 2, 1))
    assert _pass_closed(town) and town.winter


def test_trip_over_the_pass_gets_slower_never_faster(town: RoadNetwork) -> None:
    """Station to the hamlet beyond the pass takes the river road in winter: slower, reachable;
    no entry of a town-wide matrix gets faster."""
    station, togeshita = _station_and_togeshita(town)
    locs = [station, togeshita, *town.random_locations(40, seed=8)]
    summer = town.durations(locs, locs)
    town.set_winter(True)
    winter = town.durations(locs, locs)
    assert (winter >= summer).all()
    assert summer[0, 1] < winter[0, 1] < UNREACHABLE
    assert winter[1, 0] > summer[1, 0]
    town.set_winter(dt.date(2025, 11, 20))  # closed pass, summer speeds: still never faster
    assert (town.durations(locs, locs) >= summer).all()


def test_demo_town_stays_strongly_connected_with_the_pass_closed(town: RoadNetwork) -> None:
    """Every node still reaches every other over open roads while the pass is closed."""
    town.set_winter(True)
    open_edges = [e for e in town.edges if not town.closed[town.edge_index[e]]]
    sub = town.graph.edge_subgraph(open_edges)
    assert sub.number_of_nodes() == town.graph.number_of_nodes()
    assert nx.is_strongly_connected(sub)
    _, togeshita = _station_and_togeshita(town)
    assert togeshita.edge is not None and togeshita.edge not in _named(town, PASS)


def test_seasonal_and_operator_closures_combine(town: RoadNetwork) -> None:
    """A landslide on the river road in winter cuts the hamlet off (UNREACHABLE, no crash);
    an operator closure of the already closed pass changes nothing; summer reopens the pass."""
    station, togeshita = _station_and_togeshita(town)
    pass_edges, detour = _named(town, PASS), _named(town, DETOUR)
    town.set_winter(True)
    version = town.version
    changed = town.apply_closures([Closure("landslide", edges=detour)])
    assert changed == set(detour) and town.version == version + 1
    assert town.durations([station], [togeshita])[0, 0] == UNREACHABLE
    assert town.durations([togeshita], [station])[0, 0] == UNREACHABLE
    # closing the pass as well changes no edge: the season already closes it
    both = [Closure("landslide", edges=detour), Closure("pass", edges=pass_edges)]
    assert town.apply_closures(both) == set() and town.version == version + 1
    # spring: the pass reopens for the season but the operator still closes it
    assert town.set_winter(False) and _pass_closed(town)
    assert town.apply_closures([Closure("landslide", edges=detour)]) == set(pass_edges)
    summer_time = town.durations([station], [togeshita])[0, 0]
    assert summer_time < UNREACHABLE
    assert town.set_winter(True)  # winter again: the pass closes under the landslide
    assert town.durations([station], [togeshita])[0, 0] == UNREACHABLE
    town.apply_closures([])
    assert _pass_closed(town)
    assert summer_time < town.durations([station], [togeshita])[0, 0] < UNREACHABLE


@pytest.mark.parametrize(
    ("tags", "closed", "open_"),
    [
        (
            {"motor_vehicle:conditional": "no @ (Dec-Mar)"},
            ["12-01", "01-15", "03-31"],
            ["11-30", "04-01", "07-15"],
        ),
        (
            {"access:conditional": "no @ (Nov 15-Apr 30)"},
            ["11-15", "02-29", "04-30"],
            ["11-14", "05-01"],
        ),
        ({"vehicle:conditional": "no @ (Nov 01 - Apr 30)"}, ["11-01", "04-30"], ["10-31", "05-01"]),
        ({"motor_vehicle:conditional": "no @ winter"}, ["12-01", "03-31"], ["04-01", "11-30"]),
        (
            {"motorcar:conditional": "no @ (Dec 1-15, Jan-Feb)"},
            ["12-15", "02-29"],
            ["12-16", "03-01"],
        ),
        (
            {"access:conditional": "no @ (Dec-Mar); destination @ (Mar 15-Mar 31)"},
            ["03-14"],
            ["03-15", "07-01"],
        ),
        (
            {"motor_vehicle": "no", "motor_vehicle:conditional": "yes @ (May-Oct)"},
            ["01-10", "11-01"],
            ["05-01", "10-31"],
        ),
        ({"seasonal": "summer"}, ["01-10", "12-01"], ["04-01", "08-01"]),
        ({"seasonal": "spring;summer;autumn"}, ["02-01"], ["06-01"]),
        # the more specific unconditional tag wins; non-date conditions and winter roads: open
        ({"motor_vehicle": "yes", "access:conditional": "no @ (Dec-Mar)"}, [], ["01-15"]),
        ({"motor_vehicle:conditional": "no @ (Nov-Apr 17:00-08:00)"}, [], ["01-15"]),
        ({"motor_vehicle:conditional": "no @ snow"}, [], ["01-15"]),
        ({"access:conditional": "no @ (Dec-Mar AND weight>7.5)"}, [], ["01-15"]),
        ({"hgv:conditional": "no @ (Dec-Mar)"}, [], ["01-15"]),
        ({"seasonal": "winter"}, [], ["01-15", "07-01"]),
        ({"seasonal": "yes"}, [], ["01-15"]),
    ],
)
def test_conditional_tags_give_the_closed_days(
    tags: dict[str, str], closed: list[str], open_: list[str]
) -> None:
    """Real-world conditional and seasonal tag values close a van's way on exactly their days."""
    for day in closed:
        assert _closed_on(tags, day), day
    for day in open_:
        assert not _closed_on(tags, day), day
    assert is_drivable({"highway": "secondary", **tags})


def test_closed_all_year_is_not_drivable() -> None:
    """A plain no with a date rule that also says no is simply closed; Feb 31 is ignored."""
    assert not is_drivable(
        {"highway": "tertiary", "access": "no", "access:conditional": "no @ (Jan)"}
    )
    assert not closed_days({"highway": "tertiary", "access:conditional": "no @ (Feb 31)"}).any()


def test_closed_day_text_round_trips() -> None:
    """Closed days are stored on edges as MM-DD ranges; over New Year a range stays whole."""
    days = closed_days({"highway": "secondary", "access:conditional": "no @ (Nov 15-Apr 30)"})
    assert days_text(days) == "11-15..04-30"
    assert (parse_days_text(days_text(days)) == days).all()
    two = closed_days({"highway": "secondary", "access:conditional": "no @ (Jan, Jul 1-10)"})
    assert days_text(two) == "01-01..01-31,07-01..07-10"
    assert (parse_days_text(days_text(two)) == two).all()
    assert days_text(np.zeros_like(days)) == ""


def test_graphml_keeps_the_seasonal_closure(tmp_path: Path, demo_network: RoadNetwork) -> None:
    """A graph saved as GraphML closes the same pass in winter when loaded back."""
    import osmnx as ox

    path = tmp_path / "demo.graphml"
    ox.save_graphml(demo_network.graph, path)
    again = load_network(path, cache=False, winter=True)
    assert _pass_closed(again) and again.info()["seasonal_closed_km"] > 4


def test_cli_graph_info_reports_seasonally_closed_km() -> None:
    """`maas graph info demo --winter` reports the closed km; summer and a July date report 0."""
    runner = CliRunner()
    winter = json.loads(runner.invoke(app, ["graph", "info", "demo", "--winter", "--json"]).output)
    summer = json.loads(runner.invoke(app, ["graph", "info", "demo", "--json"]).output)
    july = runner.invoke(app, ["graph", "info", "demo", "--date", "2026-07-01", "--json"])
    assert winter["seasonal_closed_km"] > 4 and winter["winter"] is True
    assert summer["seasonal_closed_km"] == 0 == json.loads(july.output)["seasonal_closed_km"]
    text = runner.invoke(app, ["graph", "info", "demo", "--winter"]).output
    assert "closed for the season: 6.1 km" in text
    bad = runner.invoke(app, ["graph", "info", "demo", "--date", "someday"])
    assert bad.exit_code != 0 and "YYYY-MM-DD" in bad.output
