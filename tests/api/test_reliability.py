"""Reliability under faults (issue 13): Redis away answers 503 with Retry-After and recovers
by itself; retried stop reports answer as before; late position reports are ignored and
pings do not rewrite the dispatch state; rate limits; the event stream's opening snapshot
and its reset after trimming; a tick's re-optimised plan carried onto a newer state."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from fastapi.testclient import TestClient

from api.auth import OPERATOR as OPERATOR_PRINCIPAL
from api.main import create_app
from api.metrics import STATE_BYTES
from api.routers.events import _events
from api.store import event_entry
from maas.domain import Plan, Route, Stop
from maas.roads import RoadNetwork
from solver.dispatch import rebase
from solver.dispatch.planning import planning_problem
from solver.dispatch.reoptimise import plan_damage
from tests.api.conftest import (
    OPERATOR,
    T0,
    Area,
    free_port,
    iso,
    make_settings,
    redis_url,
    wait_until,
)

REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[dict[str, Any]]:
    """A redis-server of this test's own (to pause and restart), on a free port."""
    port = free_port()
    args = [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(tmp_path),
            "--appendonly", "yes", "--save", ""]
    server: dict[str, Any] = {"url": f"redis://127.0.0.1:{port}/0", "port": port}

    def start() -> None:
        server["proc"] = subprocess.Popen(args, stdout=subprocess.DEVNULL)
        wait_until(lambda: redis.Redis(port=port).ping(), "redis-server")

    server["start"] = start
    start()
    yield server
    server["proc"].send_signal(signal.SIGCONT)
    server["proc"].kill()
    server["proc"].wait(timeout=10)


def test_paused_redis_answers_503_with_retry_after_and_recovers(
        own_redis: dict[str, Any], demo_network: RoadNetwork,
        places: dict[str, dict[str, float]]) -> None:
    """With Redis stopped (SIGSTOP) every request answers 503 with Retry-After within the
    socket timeout, reads and writes alike; after SIGCONT the service answers by itself."""
    settings = make_settings(own_redis["url"], redis_socket_timeout=0.5,
                             redis_connect_timeout=0.5, write_wait_seconds=2.0)
    with TestClient(create_app(settings, network=demo_network)) as client:
        area = Area(client, places)
        area.van()
        _, rider = area.rider()
        own_redis["proc"].send_signal(signal.SIGSTOP)
        try:
            for method, path, body in (("GET", "/v1/bookings", None),
                                       ("POST", "/v1/offers", area.ask()),
                                       ("GET", "/readyz", None)):
                started = time.monotonic()
                r = client.request(method, path, json=body, headers=rider)
                waited = time.monotonic() - started
                assert r.status_code == 503, (path, r.status_code, r.text)
                assert int(r.headers["Retry-After"]) >= 1
                assert waited < 5.0, (path, waited)  # bounded by the timeouts, not a hang
        finally:
            own_redis["proc"].send_signal(signal.SIGCONT)
        assert client.post("/v1/offers", json=area.ask(), headers=rider).status_code == 201


def test_restarted_redis_is_reconnected_without_a_restart_of_the_api(
        own_redis: dict[str, Any], demo_network: RoadNetwork,
        places: dict[str, dict[str, float]]) -> None:
    """Redis killed: 503 with Retry-After; Redis back (AOF): the same app answers again and
    the booking made before is there."""
    settings = make_settings(own_redis["url"], redis_socket_timeout=0.5,
                             redis_connect_timeout=0.5)
    with TestClient(create_app(settings, network=demo_network)) as client:
        area = Area(client, places)
        area.van()
        _, rider = area.rider()
        booking = area.book(rider, area.offer(rider)["offer_id"]).json()
        redis.Redis(port=own_redis["port"]).bgrewriteaof()
        time.sleep(0.5)
        own_redis["proc"].kill()
        own_redis["proc"].wait(timeout=10)
        r = client.get(f"/v1/bookings/{booking['id']}", headers=rider)
        assert r.status_code == 503 and "Retry-After" in r.headers
        own_redis["start"]()
        r = client.get(f"/v1/bookings/{booking['id']}", headers=rider)
        assert r.status_code == 200, r.text
        assert r.json()["id"] == booking["id"]


def test_retried_stop_reports_answer_as_the_first_time(area: Area) -> None:
    """Each stop report sent twice (the first answer lost) gets the same 200 answer, and the
    second changes nothing: no 409, no second status change."""
    van_id, driver = area.van()
    _, rider = area.rider()
    booking = area.book(rider, area.offer(rider)["offer_id"]).json()
    stops = area.client.get(f"/v1/vehicles/{van_id}/manifest", headers=driver).json()["stops"]
    pickup, dropoff = stops[0]["stop_id"], stops[1]["stop_id"]
    url = f"/v1/vehicles/{van_id}/stops"
    for stop, report in ((pickup, "arrived"), (pickup, "picked_up"), (dropoff, "arrived"),
                         (dropoff, "dropped_off")):
        first = area.client.post(f"{url}/{stop}/events", json={"type": report}, headers=driver)
        again = area.client.post(f"{url}/{stop}/events", json={"type": report}, headers=driver)
        assert first.status_code == 200, first.text
        assert (again.status_code, again.json()) == (200, first.json()), report
    # A pickup retried after the drop-off still answers what it answered.
    late = area.client.post(f"{url}/{pickup}/events", json={"type": "picked_up"},
                            headers=driver)
    assert late.status_code == 200 and late.json()["booking_status"] == "onboard"
    record = area.client.get(f"/v1/bookings/{booking['id']}", headers=OPERATOR).json()
    assert record["status"] == "completed"


def test_late_position_report_is_ignored(area: Area) -> None:
    """A ping older than the van's last one does not move the van back."""
    van_id, driver = area.van()
    url = f"/v1/vehicles/{van_id}/position"
    new = area.client.post(url, json={**area.places["clinic"], "at": iso()}, headers=driver)
    assert new.status_code == 200 and new.json()["applied"] is True
    old = area.client.post(url, json={**area.places["station"],
                                      "at": iso(-timedelta(minutes=2))}, headers=driver)
    assert old.status_code == 200 and old.json()["applied"] is False
    fleet = area.client.get("/v1/vehicles", headers=OPERATOR).json()["vehicles"]
    assert abs(fleet[0]["position"]["lat"] - area.places["clinic"]["lat"]) < 0.005
    assert fleet[0]["position_at"] == iso()


def test_position_reports_do_not_rewrite_the_state(area: Area) -> None:
    """A ping writes one small hash field, not the state root: bytes per ping stay under a
    few hundred whatever the day holds, and the day's version does not move."""
    van_id, driver = area.van()
    for _ in range(5):
        _, rider = area.rider()
        assert area.book(rider, area.offer(rider)["offer_id"]).status_code == 201
    rt: Any = area.client.app.state.runtime  # type: ignore[attr-defined]
    store = rt.days.context(T0.date()).store
    assert area.client.portal is not None
    _, version, _ = area.client.portal.call(store.snapshot)
    before = STATE_BYTES._value.get()
    for k in range(10):
        r = area.client.post(f"/v1/vehicles/{van_id}/position",
                             json={**area.places["station"], "at": iso(timedelta(seconds=k))},
                             headers=driver)
        assert r.json()["applied"] is True
    per_ping = (STATE_BYTES._value.get() - before) / 10
    assert 0 < per_ping < 400, per_ping
    _, after, state = area.client.portal.call(store.snapshot)
    assert after == version
    assert state.vehicle(van_id).available_at == 9 + (T0.hour * 3600)


def test_rate_limit_per_token_answers_429_with_retry_after(
        redisdb: Any, redis_proc: Any, demo_network: RoadNetwork,
        places: dict[str, dict[str, float]]) -> None:
    """Over its budget a rider gets 429 with Retry-After; another rider and the operator are
    not held back by it."""
    settings = make_settings(redis_url(redis_proc), rate_limit_per_minute=12)  # 2 per 10 s
    with TestClient(create_app(settings, network=demo_network)) as client:
        area = Area(client, places)
        area.van()
        _, rider = area.rider()
        _, other = area.rider("Ito")
        codes = [client.post("/v1/offers", json=area.ask(), headers=rider).status_code
                 for _ in range(2)]
        assert codes[:2] == [201, 201]
        r = client.post("/v1/offers", json=area.ask(), headers=rider)
        assert r.status_code == 429 and 1 <= int(r.headers["Retry-After"]) <= 10
        assert r.json()["error"]["code"] == "too_many_requests"
        assert client.post("/v1/offers", json=area.ask(), headers=other).status_code == 201
        assert client.get("/v1/bookings", headers=OPERATOR).status_code == 200


async def _first(stream: AsyncIterator[Any], n: int) -> list[Any]:
    got = []
    async for item in stream:
        got.append(item)
        if len(got) == n:
            break
    await stream.aclose()  # type: ignore[attr-defined]
    return got


def test_event_stream_opens_with_snapshot_and_resets_after_trimming(
        redisdb: Any, redis_proc: Any, demo_network: RoadNetwork,
        places: dict[str, dict[str, float]]) -> None:
    """A client connecting gets a snapshot first; one whose Last-Event-ID was trimmed gets a
    reset, then the snapshot; one whose id is still kept resumes after it."""
    settings = make_settings(redis_url(redis_proc), events_maxlen=5)
    with TestClient(create_app(settings, network=demo_network)) as client:
        area = Area(client, places)
        rt: Any = client.app.state.runtime  # type: ignore[attr-defined]
        assert client.portal is not None
        van_id, _ = area.van()
        first_id = client.portal.call(rt.store.last_event_id)
        for k in range(12):  # enough entries to trim the first one away (approximately)
            client.portal.call(rt.store.publish, [event_entry("test", {"k": k})])
        # As XADD MAXLEN ~ does when a stream's macro node is full: the oldest entries go.
        client.portal.call(lambda: rt.store.redis.xtrim(rt.store.keys.events, 5,
                                                        approximate=False))
        assert client.portal.call(rt.store.first_event_id) != first_id

        async def opening(last_id: str | None) -> list[Any]:
            from api.routers.events import stream_events

            response = await stream_events(OPERATOR_PRINCIPAL, rt, last_id)
            return await _first(response.body_iterator, 2)  # type: ignore[arg-type]

        fresh = client.portal.call(opening, None)
        assert fresh[0]["event"] == "snapshot"
        body = json.loads(fresh[0]["data"])
        assert body["schema"] == "maas.snapshot" and van_id in {v["id"] for v in
                                                                 body["vehicles"]}
        trimmed = client.portal.call(opening, first_id)
        assert [e["event"] for e in trimmed] == ["reset", "snapshot"]
        assert json.loads(trimmed[0]["data"])["reason"] == "trimmed"
        kept = client.portal.call(rt.store.first_event_id)
        resumed = client.portal.call(_first, _events(rt, OPERATOR_PRINCIPAL, kept, None), 2)
        assert resumed[0]["event"] == "snapshot" and resumed[1]["id"] != kept


def _sequences(plan: Plan) -> list[tuple[str, list[tuple[str, str]]]]:
    return [(r.vehicle_id, [(s.request_id, s.kind.value) for s in r.stops]) for r in plan.routes]


def test_rebase_carries_reoptimised_routes_onto_a_newer_state(area: Area) -> None:
    """Routes re-optimised on an older state are applied on the current one when the vans'
    riders are unchanged and the routes keep every promise at lower cost; refused when a
    rider of a changed van is no longer the same; a result that changed no route moves
    only the round counters on."""
    vans = [area.van()[0] for _ in range(2)]
    for frm, to in (("station", "clinic"), ("clinic", "station"), ("station", "supermarket")):
        _, rider = area.rider()
        area.book(rider, area.offer(rider, frm=frm, to=to)["offer_id"])
    rt: Any = area.client.app.state.runtime  # type: ignore[attr-defined]
    ctx = rt.days.context(T0.date())
    assert area.client.portal is not None
    live = area.client.portal.call(ctx.store.state)
    good = live.plan
    # The "before" plan: every ride served one after the other by the first van.
    serial = tuple(s for r in good.routes for s in sorted(
        r.stops, key=lambda s: [x.request_id for x in r.stops].index(s.request_id)))
    worse = Plan((Route(vans[0], serial), Route(vans[1], ())), good.unserved)
    if worse == good:  # the offers served them one by one on that van: the other one does
        worse = Plan((Route(vans[0], ()), Route(vans[1], serial)), good.unserved)
    base = replace(live, plan=worse)
    result = replace(base, plan=good, version=base.version + 1,
                     reoptimise_round=base.reoptimise_round + 1)
    current = replace(base, version=base.version + 3, now=base.now + 5)  # written meanwhile
    judge = planning_problem(current, ctx.dispatcher.policy, current.now)
    if plan_damage(judge, good, ctx.dispatcher.travel) < \
            plan_damage(judge, worse, ctx.dispatcher.travel):
        carried = rebase(base, result, current, ctx.dispatcher)
        assert carried is not None
        new, out = carried
        # The re-check may lock a head stop the van has left for by now; same order.
        assert _sequences(new.plan) == _sequences(good)
        assert new.version == current.version + 1
        assert new.reoptimise_round == result.reoptimise_round and out
    else:
        assert rebase(base, result, current, ctx.dispatcher) is None
    # A rider served (or cancelled) meanwhile: the routes are carried without their stops
    # exactly when they still beat the serial route of the two riders left, judged on the
    # whole plan of now by promise damage, then cost, as re-optimisation judges (which
    # rider leaves, and the plan the random van ids gave, decide that); whatever is carried
    # never holds the rider who left.
    for gone in dict.fromkeys(s.request_id for s in serial):
        fewer = Plan((Route(vans[0], tuple(s for s in serial if s.request_id != gone)),
                      Route(vans[1], ())), good.unserved)
        trial = Plan(tuple(Route(r.vehicle_id, tuple(s for s in r.stops if s.request_id != gone))
                           for r in good.routes), good.unserved)
        judged = planning_problem(replace(current, plan=fewer), ctx.dispatcher.policy,
                                  current.now)
        d_fewer, d_trial = (plan_damage(judged, p, ctx.dispatcher.travel) for p in (fewer, trial))
        better = (d_trial[0], d_trial[1] + 1e-6) < d_fewer
        adapted = rebase(base, result, replace(current, plan=fewer), ctx.dispatcher)
        assert (adapted is not None) == better, (gone, d_trial, d_fewer)
        if adapted is not None:
            left = [s.request_id for r in adapted[0].plan.routes for s in r.stops]
            assert gone not in left and len(left) == 4
    # A van already driving to a stop (locked) that the new routes give another van: the
    # stop goes back to the van driving to it, first (its rider's drop-off after it), or
    # the routes are judged no better on the state of now; never on the other van.
    on_van0 = next(s for s in good.route(vans[0]).stops) if good.route(vans[0]).stops \
        else next(s for s in good.route(vans[1]).stops)
    other = vans[1] if on_van0 in good.route(vans[0]).stops else vans[0]
    driving = Plan(tuple(
        Route(r.vehicle_id, (Stop(on_van0.request_id, on_van0.kind, locked=True),
                             *(s for s in r.stops if s != on_van0)))
        if r.vehicle_id == other else Route(r.vehicle_id, tuple(
            s for s in r.stops if s != on_van0)) for r in worse.routes), good.unserved)
    found = rebase(base, result, replace(current, plan=driving), ctx.dispatcher)
    if found is not None:
        ahead = found[0].plan.route(other).stops
        assert (ahead[0].request_id, ahead[0].kind, ahead[0].locked) == \
            (on_van0.request_id, on_van0.kind, True)
        assert {r.vehicle_id for r in found[0].plan.routes for s in r.stops
                if s.request_id == on_van0.request_id} == {other}
    # Nothing re-routed: only the counters move on.
    same = rebase(base, replace(base, reoptimise_round=base.reoptimise_round + 1), current,
                  ctx.dispatcher)
    assert same is not None and same[1] == []
    assert same[0].plan == current.plan and same[0].reoptimise_round == base.reoptimise_round + 1


def test_rebase_inserts_a_ride_booked_meanwhile(area: Area) -> None:
    """A ride booked onto a re-routed van while the round ran is inserted into the carried
    routes (once: pickup and drop-off), not a reason to throw the round away."""
    vans = [area.van()[0] for _ in range(2)]
    for frm, to in (("station", "clinic"), ("clinic", "station")):
        _, rider = area.rider()
        area.book(rider, area.offer(rider, frm=frm, to=to)["offer_id"])
    rt: Any = area.client.app.state.runtime  # type: ignore[attr-defined]
    ctx = rt.days.context(T0.date())
    assert area.client.portal is not None
    before = area.client.portal.call(ctx.store.state)
    stops = tuple(s for r in before.plan.routes for s in r.stops)
    worse = Plan((Route(vans[0], ()), Route(vans[1], stops)), before.plan.unserved)
    base = replace(before, plan=worse)
    result = replace(before, version=before.version + 1)  # the routes the round found
    if result.plan == worse:
        result = replace(result, plan=Plan((Route(vans[0], stops), Route(vans[1], ())),
                                           before.plan.unserved))
    _, rider = area.rider()
    booked = area.book(rider, area.offer(rider, frm="station", to="supermarket")["offer_id"])
    assert booked.status_code == 201
    newer = area.client.portal.call(ctx.store.state)
    new_id = booked.json()["id"]
    extra = tuple(s for r in newer.plan.routes for s in r.stops if s.request_id == new_id)
    current = replace(newer, plan=Plan((Route(vans[0], ()), Route(vans[1], stops + extra)),
                                       newer.plan.unserved))
    carried = rebase(base, result, current, ctx.dispatcher)
    assert carried is not None
    plan = carried[0].plan
    assert sorted(s.kind.value for r in plan.routes for s in r.stops
                  if s.request_id == new_id) == ["dropoff", "pickup"]
    assert ctx.dispatcher.schedule(replace(carried[0])).feasible
