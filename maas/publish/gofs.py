"""A service as a GOFS-lite v1.0 dataset (General On-demand Feed Specification, lite):
``gofs.json`` (discovery), ``system_information``, ``service_brands``, ``vehicle_types``,
``zones``, ``operating_rules``, ``calendars``, ``fares``, ``wait_times``.

Pure: the documents are a function of the service definition, the published date range,
``last_updated`` and the base URL. Calendars: one per day type with hours, on the weekdays
the service runs it, with every date it does not (holidays, closed dates) in
``excepted_dates``; a date that runs a day type off its weekday pattern (an extra open
date) gets a one-date calendar of its own. ``wait_times`` gives the soonest a same-day
request can be picked up (the minimum notice): a static figure, not a live estimate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final

from maas.publish.service_days import dates, day_types, hms, service_type_on, ymd
from maas.publish.zones import service_zones
from maas.service import ServiceDefinition
from maas.service.calendar import DayType
from maas.service.clock import WEEKDAYS

VERSION: Final = "1.0"
FEEDS: Final = ("system_information", "service_brands", "vehicle_types", "zones",
                "operating_rules", "calendars", "fares", "wait_times")
TTL_S: Final = 86_400


@dataclass(frozen=True, slots=True)
class GofsOptions:
    """Published range, update time (POSIX seconds), where the feed lives, language."""

    start: date
    last_updated: int
    base_url: str = "http://localhost:8000/gofs"
    days: int = 365
    lang: str = "ja"
    url: str | None = None
    phone: str | None = None


def _doc(data: dict[str, Any], opts: GofsOptions, ttl: int = TTL_S) -> dict[str, Any]:
    return {"last_updated": opts.last_updated, "ttl": ttl, "version": VERSION, "data": data}


def _vehicle_types(svc: ServiceDefinition) -> list[dict[str, Any]]:
    kinds: dict[str, dict[str, Any]] = {}
    for v in svc.fleet.vans:
        vid = f"{v.model}_{v.seats}" + (f"_wc{v.wheelchair_places}" if v.wheelchair_places
                                        else "")
        kinds[vid] = {"vehicle_type_id": vid, "max_capacity": v.seats + v.wheelchair_places,
                      "wheelchair_boarding": "boarding_accessible" if v.wheelchair_places
                      else "boarding_inaccessible"}
    return [kinds[k] for k in sorted(kinds)]


def _calendars(svc: ServiceDefinition, opts: GofsOptions) -> dict[DayType, list[dict[str, Any]]]:
    types = day_types(svc)
    last = opts.start + timedelta(days=opts.days - 1)
    pattern: dict[DayType, list[int]] = {
        "weekday": [i for i in range(5) if i in svc.calendar.weekdays],
        "saturday": [5] if 5 in svc.calendar.weekdays else [],
        "sunday": [6] if 6 in svc.calendar.weekdays else [],
        "holiday": [],
    }
    excepted: dict[DayType, list[str]] = defaultdict(list)
    extra: dict[DayType, list[date]] = defaultdict(list)
    for d in dates(opts.start, opts.days):
        want = service_type_on(svc, d)
        for kind in types:
            by_pattern = d.weekday() in pattern[kind]
            if by_pattern and want != kind:
                excepted[kind].append(ymd(d))
            elif not by_pattern and want == kind:
                extra[kind].append(d)
    out: dict[DayType, list[dict[str, Any]]] = {}
    for kind in types:
        cals = []
        if pattern[kind]:
            cal: dict[str, Any] = {"calendar_id": kind,
                                   "days": [WEEKDAYS[i] for i in pattern[kind]],
                                   "start_date": ymd(opts.start), "end_date": ymd(last)}
            if excepted[kind]:
                cal["excepted_dates"] = excepted[kind]
            cals.append(cal)
        cals += [{"calendar_id": f"{kind}_{ymd(d)}", "start_date": ymd(d), "end_date": ymd(d)}
                 for d in extra[kind]]
        out[kind] = cals
    return out


def gofs_documents(svc: ServiceDefinition, opts: GofsOptions) -> dict[str, dict[str, Any]]:
    """Every document by feed name (``gofs`` is the discovery file)."""
    zones = service_zones(svc)
    vehicle_types = _vehicle_types(svc)
    calendars = _calendars(svc, opts)
    types = day_types(svc)
    info: dict[str, Any] = {"language": opts.lang, "timezone": svc.timezone, "name": svc.name,
                            "short_name": svc.area, "operator": svc.name}
    if opts.url:
        info["url"] = opts.url
    if opts.phone:
        info["phone_number"] = opts.phone
    rules = []
    for kind, hours in types.items():
        ids = [c["calendar_id"] for c in calendars[kind]]
        if not ids:
            continue
        for o in zones:
            for d in zones:
                rules.append({"from_zone_id": o.id, "to_zone_id": d.id,
                              "start_pickup_window": hms(hours.open),
                              "end_pickup_window": hms(hours.close),
                              "calendars": ids, "brand_id": svc.area,
                              "vehicle_type_id": [v["vehicle_type_id"] for v in vehicle_types]})
    f = svc.fares
    fares = [{"fare_id": "adult", "currency": f.currency, "rider": [{"amount": f.adult}]}]
    for name, amount in (("child", f.child), ("disability", f.disability)):
        if amount is not None:
            fares.append({"fare_id": name, "currency": f.currency, "rider": [{"amount": amount}]})
    docs: dict[str, dict[str, Any]] = {
        "system_information": info,
        "service_brands": {"service_brands": [{"brand_id": svc.area, "brand_name": svc.name}]},
        "vehicle_types": {"vehicle_types": vehicle_types},
        "zones": {"zones": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "zone_id": z.id, "properties": {"name": z.name},
             "geometry": z.multipolygon()} for z in zones]}},
        "operating_rules": {"operating_rules": rules},
        "calendars": {"calendars": [c for kind in types for c in calendars[kind]]},
        "fares": {"fares": fares},
        "wait_times": {"wait_time": [{"zone_ids": [z.id for z in zones],
                                      "wait_time": svc.booking.min_notice_s}]},
    }
    base = opts.base_url.rstrip("/")
    out = {"gofs": _doc({opts.lang: {"feeds": [{"name": n, "url": f"{base}/{n}.json"}
                                                for n in FEEDS]}}, opts, ttl=0)}
    out.update({name: _doc(data, opts) for name, data in docs.items()})
    return out
