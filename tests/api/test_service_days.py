"""Service days through the HTTP API, on a real redis-server and a training clock: a week
of the demo town's service file played in seconds (standing rides, rides booked ahead,
same-day rides, a public holiday), every booking rule's refusal code, the batch plan's final
windows, and days that close, archive and leave Redis."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.main import DEMO_SERVICE, create_app
from api.settings import Settings
from maas.history import HistoryStore
from maas.roads import RoadNetwork
from tests.api.conftest import OPERATOR, TOKYO, bearer, make_settings, redis_url
from tests.api.day_player import Player

FRIDAY = datetime(2027, 1, 8, 8, 0, tzinfo=TOKYO)  # Monday 11 January is 成人の日


def at(day: date, hhmm: str) -> datetime:
    """A local time on ``day``."""
    h, m = (int(p) for p in hhmm.split(":"))
    return datetime(day.year, day.month, day.day, h, m, tzinfo=TOKYO)


@pytest.fixture
def service_settings(redisdb: Any, redis_proc: Any, tmp_path: Path) -> Settings:
    """The demo town's service file on the test Redis, training clock on a Friday 08:00."""
    return make_settings(redis_url(redis_proc), service=DEMO_SERVICE, clock_start=FRIDAY,
                         archive_dir=tmp_path / "archive")


@pytest.fixture
def town(service_settings: Settings, demo_network: RoadNetwork) -> Iterator[TestClient]:
    """A started app of the demo town's service."""
    with TestClient(create_app(service_settings, network=demo_network)) as c:
        yield c


def _rider(client: TestClient, name: str) -> tuple[str, dict[str, str]]:
    r = client.post("/v1/riders", json={"name": name, "phone": "0166-00-0000"},
                    headers=OPERATOR)
    assert r.status_code == 201, r.text
    return r.json()["id"], bearer(r.json()["token"])


def _place(client: TestClient, name: str) -> dict[str, float]:
    lat, lon = client.app.state.runtime.network.graph.graph["places"][name]  # type: ignore[attr-defined]
    return {"lat": lat, "lon": lon}


def _ask(client: TestClient, frm: str, to: str, **times: str) -> dict[str, Any]:
    return {"origin": _place(client, frm), "destination": _place(client, to), **times}


def _book(client: TestClient, rider: dict[str, str], body: dict[str, Any]) -> dict[str, Any]:
    offer = client.post("/v1/offers", json=body, headers=rider)
    assert offer.status_code == 201, offer.text
    booked = client.post("/v1/bookings", json={"offer_id": offer.json()["offer_id"]},
                         headers={**rider, "Idempotency-Key": offer.json()["offer_id"]})
    assert booked.status_code == 201, booked.text
    return booked.json()  # type: ignore[no-any-return]


def _all_plans_keep_promises(client: TestClient) -> None:
    """Every open day's live plan keeps every promise it holds."""
    rt = client.app.state.runtime  # type: ignore[attr-defined]
    assert client.portal is not None
    for day in client.portal.call(rt.days.open_days):
        ctx = rt.days.context(day)
        report = ctx.dispatcher.schedule(client.portal.call(ctx.store.state))
        assert report.feasible, (day, report.violations[:3])


def test_each_booking_rule_gives_its_code(town: TestClient) -> None:
    """Holiday, Sunday, minimum notice, deadline, horizon and hours each refuse with their
    own code and the next time that can be booked."""
    _, rider = _rider(town, "Kato")

    def code(body: dict[str, Any]) -> dict[str, Any]:
        r = town.post("/v1/offers", json=body, headers=rider)
        assert r.status_code == 422, r.text
        return r.json()["error"]  # type: ignore[no-any-return]

    holiday = code(_ask(town, "station", "clinic", pickup_after=at(date(2027, 1, 11),
                                                                   "09:00").isoformat()))
    assert holiday["code"] == "not_operating" and "public holiday" in holiday["message"]
    assert holiday["next_bookable"] == at(date(2027, 1, 12), "07:00").isoformat()
    sunday = code(_ask(town, "station", "clinic",
                       pickup_after=at(date(2027, 1, 10), "09:00").isoformat()))
    assert sunday["code"] == "not_operating"
    notice = code(_ask(town, "station", "clinic", pickup_after=at(FRIDAY.date(), "08:10")
                       .isoformat()))
    assert notice["code"] == "too_late_to_book"
    assert notice["next_bookable"] == at(FRIDAY.date(), "08:30").isoformat()
    far = code(_ask(town, "station", "clinic", pickup_after=at(date(2027, 1, 25), "09:00")
                    .isoformat()))
    assert far["code"] == "too_far_ahead"
    assert far["bookable_from"] == at(date(2027, 1, 11), "00:00").isoformat()
    early = code(_ask(town, "station", "clinic", pickup_after=at(date(2027, 1, 9), "05:00")
                      .isoformat()))
    assert early["code"] == "outside_hours"
    assert early["next_bookable"] == at(date(2027, 1, 9), "07:00").isoformat()
    player = Player(town, OPERATOR)
    player.set_clock(at(FRIDAY.date(), "17:30"))  # Saturday's deadline has passed
    late = code(_ask(town, "station", "clinic", pickup_after=at(date(2027, 1, 9), "10:00")
                     .isoformat()))
    assert late["code"] == "too_late_to_book"
    assert late["bookable_from"] == at(date(2027, 1, 9), "00:00").isoformat()


def test_a_week_of_service_days(town: TestClient, tmp_path: Path) -> None:
    """A week on the training clock: standing rides Monday, Wednesday and Friday, rides
    booked one to three days ahead and on the day, a holiday without service; final windows
    inside provisional ones, every plan keeping its promises, days closing into the archive
    and out of Redis."""
    rt = town.app.state.runtime  # type: ignore[attr-defined]
    redis = rt.store.redis
    assert town.portal is not None
    player = Player(town, OPERATOR)
    _, dialysis = _rider(town, "Suzuki (dialysis)")
    _, shopper = _rider(town, "Tanaka")

    standing = town.post("/v1/standing-bookings", headers=dialysis, json={
        "origin": _place(town, "town_hall"), "destination": _place(town, "clinic"),
        "weekdays": ["mon", "wed", "fri"], "pickup_after": "09:00",
        "first_date": FRIDAY.date().isoformat()})
    assert standing.status_code == 201, standing.text
    rides = {r["date"]: r for r in standing.json()["rides"]}
    friday_events = town.portal.call(rt.store.last_event_id)
    # Friday (today), Wednesday 13th, Friday 15th, Monday 18th...; not Monday 11th (holiday)
    assert "2027-01-11" not in rides and {"2027-01-08", "2027-01-13", "2027-01-15"} <= set(rides)
    assert all(r["booking_id"] for r in rides.values())

    ahead: list[str] = []
    for days_ahead, (frm, to) in zip((1, 2, 3), (("station", "supermarket"),
                                                 ("clinic", "town_hall"),
                                                 ("supermarket", "station")), strict=True):
        day = rt.service.next_operating_day(FRIDAY.date() + timedelta(days=days_ahead))
        booked = _book(town, shopper, _ask(town, frm, to,
                                           pickup_after=at(day, "10:30").isoformat()))
        assert booked["window_final"] is False and booked["provisional_window"] is not None
        ahead.append(booked["id"])

    start = FRIDAY.date()
    days_played = [start + timedelta(days=i) for i in range(8)]  # Fri .. next Fri
    same_day: list[str] = []
    for day in days_played:
        if rt.service.is_operating(day):
            player.drive(day, at(day, "09:55"))
            player.set_clock(at(day, "09:55"))
            same_day.append(_book(town, shopper, _ask(
                town, "station", "clinic", pickup_after=at(day, "11:00").isoformat()))["id"])
            assert town.get(f"/v1/bookings/{same_day[-1]}", headers=shopper).json()[
                "window_final"] is True
            _all_plans_keep_promises(town)
            player.drive(day, at(day, "17:10"))
            player.set_clock(at(day, "17:10"))  # the next operating day's batch plan runs
            _all_plans_keep_promises(town)
            player.drive(day, at(day, "23:00"))
        player.set_clock(at(day + timedelta(days=1), "06:00"))  # the day closes

    # every ride booked ahead got a final window inside its provisional one
    archive = Path(rt.settings.archive_dir) / rt.store.area
    archived = {p.stem: json.loads(p.read_text()) for p in archive.glob("*.json")}
    records = {b["id"]: b for rec in archived.values() for b in rec["bookings"]}
    for bid in [*ahead, rides["2027-01-13"]["booking_id"]]:
        b = records[bid]
        assert b["window_final"] is True
        assert b["provisional_earliest"] <= b["pickup_earliest"] <= b["pickup_latest"] \
            <= b["provisional_latest"]
        width = (datetime.fromisoformat(b["pickup_latest"])
                 - datetime.fromisoformat(b["pickup_earliest"]))
        assert width == timedelta(minutes=10)
        assert b["status"] == "completed"
    assert all(records[b]["status"] == "completed" for b in same_day)
    # Fri, Sat, Tue, Wed, Thu, Fri closed and archived (Sun and the holiday never opened)
    assert set(archived) == {"2027-01-08", "2027-01-09", "2027-01-12", "2027-01-13",
                             "2027-01-14", "2027-01-15"}
    assert records[rides["2027-01-08"]["booking_id"]]["standing_id"] == standing.json()["id"]
    for closed in archived:
        keys = town.portal.call(redis.keys, f"maas:{{{rt.store.area}}}:day:{closed}:*")
        assert keys == [], closed
    # the archive keeps no personal data; the history has every closed day, names included
    assert all(rec["riders"] == [] for rec in archived.values())
    with HistoryStore(rt.archive.history_url) as history:
        kept = history.days(rt.store.area, date(2027, 1, 1), date(2027, 1, 31))
    assert [d.date.isoformat() for d in kept] == sorted(archived)
    assert any(r.name == "Suzuki (dialysis)" for d in kept for r in d.riders)
    # the event stream keeps about a day: Friday's events left it when later days closed
    oldest = town.portal.call(redis.xrange, rt.store.keys.events, "-", "+", 1)
    assert oldest and oldest[0][0].decode() > friday_events
    days = town.get("/v1/days", headers=OPERATOR).json()["days"]
    assert days[0]["date"] == "2027-01-16"
    assert all(d["vans_rostered"] == 4 for d in days)
    vans = {v["vehicle_id"]: v for v in archived["2027-01-12"]["vans"]}
    assert sum(v["riders"] for v in vans.values()) >= 2
    assert all(v["km"] >= 0 for v in vans.values())


def test_closing_a_day_answers_409_while_rides_are_open(town: TestClient) -> None:
    """A day with a confirmed ride cannot close; once it is served it can, and its keys go."""
    rt = town.app.state.runtime  # type: ignore[attr-defined]
    _, rider = _rider(town, "Ito")
    booking = _book(town, rider, _ask(town, "station", "clinic",
                                      pickup_after=at(FRIDAY.date(), "10:00").isoformat()))
    today = FRIDAY.date().isoformat()
    player = Player(town, OPERATOR)
    early = town.post(f"/v1/days/{today}/close", headers=OPERATOR)
    assert early.status_code == 409 and early.json()["error"]["code"] == "day_not_over"
    player.set_clock(at(FRIDAY.date(), "18:30"))
    still = town.post(f"/v1/days/{today}/close", headers=OPERATOR)
    assert still.status_code == 409 and still.json()["error"]["code"] == "bookings_open"
    assert booking["id"] in still.json()["error"]["booking_ids"]
    player.drive(FRIDAY.date(), at(FRIDAY.date(), "23:59"))
    closed = town.post(f"/v1/days/{today}/close", headers=OPERATOR)
    assert closed.status_code == 200, closed.text
    assert closed.json()["completed"] == 1
    assert town.portal is not None
    assert town.portal.call(rt.store.redis.keys, f"*:day:{today}:*") == []
    again = town.post(f"/v1/days/{today}/close", headers=OPERATOR)
    assert again.status_code == 404


def test_plan_now_reports_figures_and_narrows_windows(town: TestClient) -> None:
    """POST /v1/days/{date}/plan plans a later day at once: each provisional window becomes a
    final one inside it, and the rider hears of it."""
    _, rider = _rider(town, "Yamada")
    day = date(2027, 1, 9)
    ids = [_book(town, rider, _ask(town, frm, to, pickup_after=at(day, hhmm).isoformat()))["id"]
           for frm, to, hhmm in (("station", "clinic", "09:00"), ("clinic", "supermarket",
                                                                   "10:00"),
                                 ("supermarket", "town_hall", "11:00"))]
    r = town.post(f"/v1/days/{day.isoformat()}/plan", headers=OPERATOR)
    assert r.status_code == 200, r.text
    assert r.json()["bookings"] == 3 and r.json()["after"]["vans_used"] >= 1
    for bid in ids:
        b = town.get(f"/v1/bookings/{bid}", headers=rider).json()
        assert b["window_final"] is True
        prov, final = b["provisional_window"], b["pickup_window"]
        assert prov["start"] <= final["start"] <= final["end"] <= prov["end"]
    _all_plans_keep_promises(town)
    listed = {d["date"]: d for d in town.get("/v1/days", headers=OPERATOR).json()["days"]}
    assert listed[day.isoformat()]["planned"] is True
    assert listed[day.isoformat()]["plan_after"]["bookings"] == 3


def test_service_endpoint_describes_the_calendar(town: TestClient) -> None:
    """GET /v1/service states hours, rules, fares and the operating days in the horizon."""
    body = town.get("/v1/service").json()
    assert body["booking"] == {"same_day_min_notice_minutes": 30, "prior_day_deadline": "17:00",
                               "days_ahead": 14, "provisional_window_minutes": 30,
                               "final_window_minutes": 10}
    assert body["hours"]["weekday"] == {"open": "07:00", "close": "18:00"}
    assert body["hours"]["sunday"] is None and body["fares"]["adult"] == 300
    dates = [d["date"] for d in body["operating_days"]]
    assert "2027-01-10" not in dates and "2027-01-11" not in dates and "2027-01-12" in dates


def test_a_return_trip_is_questioned_when_its_outbound_is_cancelled(town: TestClient) -> None:
    """Cancelling the outbound ride asks the rider whether the linked return still stands."""
    _, rider = _rider(town, "Watanabe")
    day = date(2027, 1, 12)
    out = _book(town, rider, _ask(town, "station", "clinic",
                                  pickup_after=at(day, "09:00").isoformat()))
    back = _book(town, rider, {**_ask(town, "clinic", "station",
                                      pickup_after=at(day, "12:00").isoformat()),
                               "outbound_booking_id": out["id"]})
    assert back["outbound_booking_id"] == out["id"]
    assert town.get(f"/v1/bookings/{out['id']}", headers=rider).json()[
        "return_booking_id"] == back["id"]
    rt = town.app.state.runtime  # type: ignore[attr-defined]
    assert town.portal is not None
    last = town.portal.call(rt.store.last_event_id)
    assert town.delete(f"/v1/bookings/{out['id']}", headers=rider).status_code == 200
    events = town.portal.call(rt.store.read_events, last, 10)
    asked = [json.loads(f["data"]) for _, f in events if f["kind"] == "return_trip_check"]
    assert asked and asked[0]["return_booking_id"] == back["id"]
    other_day = _ask(town, "clinic", "station", pickup_after=at(date(2027, 1, 13), "12:00")
                     .isoformat())
    refused = town.post("/v1/offers", json={**other_day, "outbound_booking_id": back["id"]},
                        headers=rider)
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "return_on_another_day"


def test_training_clock_only_moves_forward_and_only_in_training(town: TestClient,
                                                                demo_network: RoadNetwork,
                                                                redis_proc: Any) -> None:
    """PUT /v1/clock refuses a time in the past; a real service refuses it altogether, and
    refuses to serve an area a training service wrote."""
    back = town.put("/v1/clock", json={"now": (FRIDAY - timedelta(hours=1)).isoformat()},
                    headers=OPERATOR)
    assert back.status_code == 422 and back.json()["error"]["code"] == "clock_backwards"
    rt = town.app.state.runtime  # type: ignore[attr-defined]
    real = make_settings(redis_url(redis_proc), area=rt.store.area, training=False,
                         service=DEMO_SERVICE)
    with pytest.raises(Exception, match="training area"), \
            TestClient(create_app(real, network=demo_network)):
        pass


def test_a_closed_days_parcels_enter_the_archive_and_the_history(town: TestClient) -> None:
    """A parcel delivered and one withdrawn: the closed day's archive and the trip history
    keep both with what became of them, and the month report counts them."""
    rt = town.app.state.runtime  # type: ignore[attr-defined]
    r = town.post("/v1/shippers", json={"name": "Post office", "kind": "post_office"},
                  headers=OPERATOR)
    assert r.status_code == 201, r.text
    shipper_id, shop = r.json()["id"], bearer(r.json()["token"])
    body = {"pickup": _place(town, "town_hall"), "delivery": _place(town, "clinic"),
            "kg": 4, "litres": 12}
    delivered = town.post("/v1/parcels", json=body, headers=shop)
    withdrawn = town.post("/v1/parcels", json={**body, "kg": 2}, headers=shop)
    assert delivered.status_code == withdrawn.status_code == 201, (delivered.text,
                                                                   withdrawn.text)
    pid, gone = delivered.json()["id"], withdrawn.json()["id"]
    assert town.delete(f"/v1/parcels/{gone}", headers=shop).status_code == 200
    today = FRIDAY.date()
    player = Player(town, OPERATOR)
    player.drive(today, at(today, "23:59"))
    player.set_clock(at(today, "18:30"))
    closed = town.post(f"/v1/days/{today.isoformat()}/close", headers=OPERATOR)
    assert closed.status_code == 200, closed.text
    archived = json.loads(Path(closed.json()["archive"]).read_text(encoding="utf-8"))
    assert archived["version"] == 3
    parcels = {p["id"]: p for p in archived["parcels"]}
    assert set(parcels) == {pid, gone}
    assert parcels[pid]["status"] == "delivered" and parcels[gone]["status"] == "cancelled"
    assert parcels[pid]["shipper_id"] == shipper_id and parcels[pid]["source"] == "post_office"
    assert parcels[pid]["picked_up_at"] <= parcels[pid]["delivered_at"]
    assert parcels[pid]["direct_m"] > 0 and parcels[pid]["vehicle_id"]
    assert all(b["id"] not in parcels for b in archived["bookings"])  # rides only there
    with HistoryStore(rt.archive.history_url) as history:
        kept = history.day(rt.store.area, today)
    assert kept is not None
    assert {p.id: p.status for p in kept.parcels} == {pid: "delivered", gone: "cancelled"}
    report = town.get(f"/v1/reports/months/{today:%Y-%m}", headers=OPERATOR)
    assert report.status_code == 200, report.text
    figures = report.json()["current"]["parcels"]
    assert (figures["handed_in"], figures["delivered"], figures["cancelled"]) == (2, 1, 1)
    assert figures["delivered_share"] == 1.0 and figures["kg_delivered"] == 4


def test_a_standing_ride_carries_the_riders_needs_as_an_offer_does(town: TestClient) -> None:
    """A standing ride of a rider in a wheelchair who lives alone and boards slowly is
    planned with the wheelchair place, the longer boarding and the welfare watch, on the day
    it is created and on the days that open later."""
    rt = town.app.state.runtime  # type: ignore[attr-defined]
    r = town.post("/v1/riders", headers=OPERATOR, json={
        "name": "Kato Fumi", "phone": "0166-11-1111", "lives_alone": True,
        "needs_wheelchair": True, "board_seconds": 240, "alight_seconds": 180})
    assert r.status_code == 201, r.text
    rider = bearer(r.json()["token"])
    standing = town.post("/v1/standing-bookings", headers=rider, json={
        "origin": _place(town, "town_hall"), "destination": _place(town, "clinic"),
        "weekdays": ["fri", "tue"], "pickup_after": "10:00",
        "first_date": FRIDAY.date().isoformat()})
    assert standing.status_code == 201, standing.text
    rides = {x["date"]: x["booking_id"] for x in standing.json()["rides"] if x["booking_id"]}
    assert FRIDAY.date().isoformat() in rides and len(rides) >= 2
    assert town.portal is not None
    for day, booking_id in rides.items():
        state = town.portal.call(rt.days.context(date.fromisoformat(day)).store.state)
        booking = state.bookings[booking_id]
        assert booking.welfare, day
        req = booking.request
        assert (req.wheelchairs, req.board, req.alight) == (1, 240, 180), day


def test_a_parcel_no_van_could_take_does_not_hold_the_day(town: TestClient) -> None:
    """A parcel still waiting for a van at the end of the day (its window too short for
    the drive) lets the day close and is archived undelivered."""
    r = town.post("/v1/shippers", json={"name": "Farm Abe", "kind": "farm"}, headers=OPERATOR)
    shop = bearer(r.json()["token"])
    today = FRIDAY.date()
    body = {"pickup": _place(town, "station"), "delivery": _place(town, "depot"),  # 197 s
            "kg": 3, "litres": 10, "pickup_after": at(today, "10:00").isoformat(),
            "deliver_by": at(today, "10:05").isoformat()}  # 4 min handling, 1 to drive
    handed = town.post("/v1/parcels", json=body, headers=shop)
    assert handed.status_code == 201, handed.text
    assert handed.json()["status"] == "waiting"
    Player(town, OPERATOR).set_clock(at(today, "18:30"))
    closed = town.post(f"/v1/days/{today.isoformat()}/close", headers=OPERATOR)
    assert closed.status_code == 200, closed.text
    archived = json.loads(Path(closed.json()["archive"]).read_text(encoding="utf-8"))
    assert [(p["id"], p["status"], p["picked_up_at"]) for p in archived["parcels"]] == [
        (handed.json()["id"], "undelivered", None)]
