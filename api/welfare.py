"""Care for riders who do not show (issue 16): a no-show of a rider living alone or
registered elderly is a welfare signal. The operator is alerted at once, on the event stream
(``welfare_alert``, with the rider's contact person), and riders with repeated no-shows are
listed for the town's welfare office (``GET /v1/reports/welfare``). There is no automatic
ban of anyone: a flagged rider's next booking is served as any other."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from api.clock import ServiceClock
from api.runtime import Runtime
from api.schemas_disaster import WelfareList, WelfareRider
from api.store import Write
from maas.history import HistoryError
from maas.history.welfare import NoShow, repeated_no_shows
from solver.dispatch import outcomes

log = logging.getLogger(__name__)


def welfare_watch(rider: Mapping[str, Any]) -> bool:
    """Whether a no-show of this rider record is a welfare signal."""
    return not rider.get("erased") and bool(rider.get("lives_alone")
                                            or rider.get("registered_elderly"))


async def publish_alerts(w: Write, clock: ServiceClock, riders_key: str,
                         results: Iterable[outcomes.Outcome]) -> None:
    """Inside the stop report's write: one ``welfare_alert`` (operator only) per flagged
    no-show, with whom to call."""
    for o in results:
        if not isinstance(o, outcomes.WelfareAlert):
            continue
        raw = None if o.rider_id is None else await w.hget(riders_key, o.rider_id)
        rider: dict[str, Any] = {} if raw is None else json.loads(raw)
        why = "lives alone" if rider.get("lives_alone") else "registered elderly"
        w.publish("welfare_alert", {
            "booking_id": o.booking_id, "rider_id": o.rider_id, "at": clock.iso(o.at),
            "rider_name": rider.get("name"), "phone": rider.get("phone"),
            "contact_name": rider.get("contact_name"),
            "contact_phone": rider.get("contact_phone"), "reason": why,
            "message": f"{rider.get('name') or o.rider_id} ({why}) did not come to the van: "
                       "call them, then their contact person"})


async def welfare_list(rt: Runtime, since: date | None, history: Any) -> WelfareList:
    """Flagged riders with at least the service file's number of no-shows since ``since``
    (default: the period of the service file before today), from the trip history (closed
    days) and the open days."""
    rules = rt.service.care
    today = rt.days.today()
    since = since or today - timedelta(days=rules.welfare_period_days)
    found: dict[str, NoShow] = {}
    included = False
    if history is not None:
        try:
            days = await asyncio.to_thread(history.days, rt.settings.area, since, today)
            included = True
        except HistoryError as exc:  # answer from the open days, and say so
            log.warning("welfare list without the trip history: %s", exc)
            days = ()
        for d in days:
            for b in d.bookings:
                if b.status == "no_show" and b.rider_id and b.cancelled_at is None:
                    found[b.id] = NoShow(b.rider_id, b.id, d.date)
    for day in await rt.days.open_days():
        if day < since:
            continue
        for bid, rec in (await rt.store.records(rt.store.keys.day(day).bookings)).items():
            if rec.get("status") == "no_show" and rec.get("rider_id"):
                found[bid] = NoShow(rec["rider_id"], bid, day)
    riders = await rt.store.records(rt.store.keys.riders)
    flagged = {rid for rid, r in riders.items() if welfare_watch(r)}
    listed = repeated_no_shows(found.values(), since, today, rules.welfare_no_shows, flagged)
    out = []
    for entry in listed:
        r = riders[entry.rider_id]
        out.append(WelfareRider(
            rider_id=entry.rider_id, name=r.get("name"), phone=r.get("phone"),
            lives_alone=bool(r.get("lives_alone")),
            registered_elderly=bool(r.get("registered_elderly")),
            contact_name=r.get("contact_name"), contact_phone=r.get("contact_phone"),
            no_shows=entry.count, dates=[d.isoformat() for d in entry.dates],
            booking_ids=list(entry.booking_ids)))
    return WelfareList(since=since.isoformat(), until=today.isoformat(),
                       threshold=rules.welfare_no_shows, history_included=included, riders=out)
