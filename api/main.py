"""``create_app(settings)``: the dispatch service of one service area.

At start the app reads the service file (calendar, hours, booking rules, policy, fares,
fleet roster), connects to Redis (or, in demo mode, an in-process fakeredis), loads the road
network (derived data: rebuilt from its source at every start), checks the area's key layout
in Redis, registers the roster's vans, opens the service days of the booking horizon, and
starts a ticker that lets time pass: re-timing and re-optimising the day vans drive, lifting
closures whose ``until`` has passed, opening days as they enter the horizon, planning each
day at its prior-day deadline and closing finished days (``api.day_cycle``). The solver work
runs in a helper process of its own (``api.ticker``) so that OR-Tools never stalls requests.
Everything else it knows lives in Redis, so a restarted process picks up where the last one
stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from fastapi import FastAPI
from pydantic import SecretStr
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from api import day_cycle, disaster
from api.archive import DayArchive
from api.audit import AuditLog
from api.audit import flush as flush_audit
from api.auth import Role, hash_token
from api.clock import Clock, TrainingClock, WallClock
from api.errors import describe_problems, install_error_handlers
from api.metrics import REOPTIMISE_REFUSALS, REOPTIMISE_ROUNDS, RequestMetrics
from api.middleware import BodySizeLimit
from api.notify import stage
from api.openapi_links import describe_links
from api.routers import (
    audit,
    bookings,
    closures,
    crew,
    days,
    drivers,
    events,
    gofs,
    health,
    offers,
    parcels,
    places,
    reports,
    riders,
    service,
    shifts,
    staff,
    standing,
    tokens,
    transit,
    ui,
    vehicles,
)
from api.routers import clock as clock_router
from api.routers import disaster as disaster_router
from api.runtime import Runtime
from api.service_days import ServiceDays
from api.settings import Settings, SettingsError
from api.snap_cache import SnapCache
from api.store import AreaStore, Write
from api.ticker import Ticker, apply_all
from maas.meeting import service_meeting_points
from maas.roads import RoadNetwork
from maas.roads.gazetteer import Gazetteer
from maas.service import ServiceDefinition, load_service, parse_service
from maas.transit import load_service_feed
from solver.dispatch import outcomes, rebase
from solver.dispatch.events import RoadReopened, Tick
from solver.dispatch.planning import changed_vehicles
from solver.dispatch.rebase import Refusal

log = logging.getLogger("maas.api")
T = TypeVar("T")

DEMO_OPERATOR_TOKEN = "demo-operator"  # demo mode only; printed at start
DEMO_SERVICE = Path(__file__).resolve().parent.parent / "scenarios" / "demo-service.yaml"


def service_of(settings: Settings) -> ServiceDefinition:
    """The service file the settings name; the demo town's in demo mode; else a plain
    service: every day within ``operating_hours``, bookable up to the ride, a week ahead,
    no vans of its own."""
    if settings.service is not None:
        return load_service(settings.service)
    if settings.demo:
        return load_service(DEMO_SERVICE)
    start, end = settings.operating_hours.split("-")
    hours = [start, end]
    return parse_service({
        "version": 1, "name": f"{settings.area} (plain service)", "area": settings.area,
        "timezone": settings.timezone, "network": {"source": settings.network},
        "calendar": {"weekdays": ["mon", "tue", "wed", "thu", "fri", "sat", "sun"],
                     "holidays": None},
        "hours": {"weekday": hours, "saturday": hours, "sunday": hours, "holiday": hours},
        "booking": {"same_day_min_notice_minutes": 0, "prior_day_deadline": "23:59",
                    "days_ahead": 7, "provisional_window_minutes": 10},
        "policy": {"pickup_window_minutes": 10},
        "fares": {"currency": "JPY", "adult": 0},
        "fleet": {"vans": []},
    }, Path("."), origin="MAAS_OPERATING_HOURS")


def history_url_of(settings: Settings) -> str:
    """Where closed days go: ``MAAS_HISTORY_URL``, else an SQLite file beside the archive
    (the embedded default: nothing to install)."""
    if settings.history_url:
        return settings.history_url
    return f"sqlite:///{(settings.archive_dir / 'history.db').resolve()}"


def create_app(settings: Settings, *, redis: Redis | None = None,
               network: RoadNetwork | None = None, clock: Clock | None = None) -> FastAPI:
    """The FastAPI app for ``settings``; ``redis`` and ``network`` may be given ready-made
    (tests share one loaded road network between apps), and so may the ``clock``."""
    settings.check_startable()
    if settings.demo and settings.operator_token is None:
        settings = settings.model_copy(update={"operator_token": SecretStr(DEMO_OPERATOR_TOKEN)})
    svc = service_of(settings)
    if svc.area != settings.area and settings.service is not None:
        log.warning("service file area %r differs from MAAS_AREA %r: using %r",
                    svc.area, settings.area, settings.area)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        settings.archive_dir.mkdir(parents=True, exist_ok=True)
        client = redis if redis is not None else _connect(settings)
        store = AreaStore(client, settings.area, events_maxlen=settings.events_maxlen,
                          write_wait_s=settings.write_wait_seconds)
        roads = network if network is not None else _load_network(settings, svc)
        wait = settings.startup_wait_seconds
        await _when_redis_answers(lambda: store.open_area(svc.timezone, settings.training),
                                  wait)
        the_clock: Clock = clock if clock is not None else await _when_redis_answers(
            lambda: _clock_of(settings, store), wait)
        snapper = SnapCache(roads)
        helper = settings.tick_seconds > 0 and network is None
        ticker = (Ticker.in_helper_process(_network_source(settings, svc), settings.polygon,
                                            settings.tick_nice)
                  if helper else Ticker(None))
        ticker.warm()
        rt = Runtime(settings=settings, service=svc, store=store, network=roads,
                     clock=the_clock, days=ServiceDays(svc, roads, store, the_clock),
                     snapper=snapper, ticker=ticker,
                     archive=DayArchive(settings.archive_dir, history_url_of(settings)),
                     transit=load_service_feed(svc),
                     meeting=service_meeting_points(svc, snapper.snap),
                     places=Gazetteer.of({k: (p.lat, p.lon) for k, p in svc.places.items()},
                                         roads))
        app.state.runtime = rt
        await _when_redis_answers(lambda: _register_roster(rt), wait)
        await _when_redis_answers(lambda: day_cycle.catch_up(rt), wait)
        # The road network and the imports are many long-lived objects: keep them out of the
        # cyclic collector's full passes, whose pauses would otherwise grow with the town.
        gc.collect()
        gc.freeze()
        task = asyncio.create_task(_tick_forever(rt)) if settings.tick_seconds > 0 else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            ticker.close()
            if redis is None:
                await client.aclose()

    app = FastAPI(
        title="maas dispatch API",
        version="1",
        summary="On-demand rural transit: service days, offers, bookings, standing rides, "
                "manifests, closures.",
        lifespan=lifespan,
    )
    install_error_handlers(app, retry_after_s=settings.retry_after_seconds)
    describe_problems(app)
    describe_links(app)
    app.add_middleware(AuditLog)
    app.add_middleware(RequestMetrics)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for module in (health, service, riders, vehicles, crew, offers, bookings, standing, days,
                   closures, disaster_router, reports, clock_router, events, staff, tokens,
                   audit, gofs, parcels, transit, drivers, shifts, places):
        app.include_router(module.router)
    ui.mount_pages(app)  # /console/, /driver/ and the roads their maps draw
    return app


def app_from_env() -> FastAPI:
    """The app with settings from ``MAAS_*`` environment variables (``uvicorn --factory``)."""
    return create_app(Settings())


async def _when_redis_answers(step: Callable[[], Awaitable[T]], wait_s: float) -> T:
    """Run a start-up step, again after a pause while Redis does not answer (a worker that
    uvicorn restarts while Redis restarts or hangs must wait for it: a worker that fails
    its start-up makes uvicorn stop the whole service), for at most ``wait_s`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait_s
    delay = 0.1
    while True:
        try:
            return await step()
        except (RedisError, TimeoutError) as exc:
            if loop.time() + delay > deadline:
                raise
            log.warning("start-up waits for Redis (%s: %s)", type(exc).__name__, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 2.0)


def _connect(settings: Settings) -> Redis:
    """The Redis client: every call bounded by the socket and connect timeouts, a dropped
    connection retried once at once (a restarted Redis), idle connections pinged before use
    (``health_check_interval``), so that nothing waits on a hung Redis for long."""
    if settings.redis_url:
        return Redis.from_url(
            settings.redis_url, socket_timeout=settings.redis_socket_timeout,
            socket_connect_timeout=settings.redis_connect_timeout,
            health_check_interval=settings.redis_health_check_seconds,
            # Only a dropped connection is retried: a timeout means Redis hangs, and
            # retrying it would double the wait. No CLIENT SETINFO on connect (two round
            # trips more on every reconnect, each one a timeout on a hung Redis).
            retry=Retry(ExponentialBackoff(cap=0.2, base=0.02), retries=1,
                        supported_errors=(RedisConnectionError,)),
            lib_name=None, lib_version=None)
    import fakeredis  # demo mode only: an in-process Redis-compatible server

    return fakeredis.FakeAsyncRedis()


def _network_source(settings: Settings, svc: ServiceDefinition) -> str:
    return svc.network.source if settings.service is not None or settings.demo \
        else settings.network


def _load_network(settings: Settings, svc: ServiceDefinition) -> RoadNetwork:
    from maas.roads import load_network

    return load_network(_network_source(settings, svc), polygon=settings.polygon)


async def _clock_of(settings: Settings, store: AreaStore) -> Clock:
    """The wall clock, or on a training service the training clock stored with the area."""
    if not settings.training:
        return WallClock()
    raw = await store.redis.get(store.keys.clock)
    start = settings.clock_start or WallClock().now()
    if start.tzinfo is None:
        msg = "MAAS_CLOCK_START needs a UTC offset (e.g. 2026-12-07T08:00+09:00)"
        raise SettingsError(msg)
    training = TrainingClock(start)
    if raw is not None:
        training.adopt(json.loads(raw))
    else:
        await store.redis.set(store.keys.clock, json.dumps(training.record()), nx=True)
        training.adopt(json.loads(await store.redis.get(store.keys.clock)))
    return training


async def _register_roster(rt: Runtime) -> None:
    """A vehicle record for every van of the roster; in demo mode also the demo driver tokens
    (``demo-driver-1`` for the first van, and so on)."""
    for i, van in enumerate(rt.service.fleet.vans, start=1):
        record = {"id": van.id, "name": van.name, "seats": van.seats,
                  "wheelchair_places": van.wheelchair_places,
                  "depot": {"lat": van.depot.lat, "lon": van.depot.lon},
                  "shift_start": "", "shift_end": "", "roster": True}
        await rt.store.hsetnx(rt.store.keys.vehicles, van.id, json.dumps(record))
        if rt.settings.demo:
            await rt.store.hset(rt.store.keys.tokens, hash_token(f"demo-driver-{i}"),
                                      json.dumps({"role": Role.DRIVER.value, "id": van.id}))
    if rt.settings.demo:
        log.warning("demo service: vans %s; driver tokens demo-driver-1..%d",
                    ", ".join(v.id for v in rt.service.fleet.vans), len(rt.service.fleet.vans))


def round_fate(improved: bool, refusals: list[Refusal], whole: bool | None) -> str:
    """What became of a background re-optimisation round whose state moved on meanwhile
    (``maas_reoptimise_rounds_total``): ``rebased`` / ``partly_rebased`` when all / some of
    its re-routed vans were carried onto the state of now (``whole``; None: none were);
    ``nothing_better`` when it found no better plan on its snapshot (not ``improved``; the
    tick's re-timing it did is redone by the next tick); ``no_better_now`` when its better
    routes, carried onto the state of now, were judged there no better than the live ones
    (nothing to commit: the live plan is at least as good); ``discarded`` when better
    routes could not be carried at all (any other refusal)."""
    if not improved:
        return "nothing_better"
    if whole is not None:
        return "rebased" if whole else "partly_rebased"
    if not refusals:  # nothing re-routed to carry
        return "nothing_better"
    if all(r is Refusal.NO_BETTER for r in refusals):
        return "no_better_now"
    return "discarded"


async def tick_once(rt: Runtime) -> bool:
    """Let time pass on the day vans drive now (re-timing, re-optimisation), lift closures
    whose ``until`` has passed, and bring the days up to the clock (``day_cycle.catch_up``);
    returns whether every day's tick result reached the state (as computed, or carried onto
    a state written meanwhile: ``solver.dispatch.rebase``)."""
    await day_cycle.catch_up(rt)
    now = rt.clock.now()
    closures = await rt.store.records(rt.store.keys.closures)
    expired = [cid for cid, rec in closures.items()
               if rec.get("until") is not None and datetime.fromisoformat(rec["until"]) <= now]
    committed = True
    for day in await rt.days.open_days():
        ctx = rt.days.context(day)
        epoch, version, state = await ctx.store.snapshot()
        in_force = {getattr(c, "id", None) for c in state.closures}
        lifts = [RoadReopened(cid, ctx.clock.now_seconds()) for cid in expired if cid in in_force]
        current = await rt.days.current()
        driving = current is not None and current.day == day
        if not lifts and not driving:
            continue
        events: list[Any] = [*lifts, *([Tick(ctx.clock.now_seconds())] if driving else [])]
        new_state, results = await rt.ticker.run(ctx.dispatcher, state, events)
        rounds = [o for o in results if isinstance(o, outcomes.Reoptimised)]
        improved = any(o.improved for o in rounds)

        async def commit(w: Write, epoch: str = epoch, version: int = version,
                         base: Any = state, new_state: Any = new_state, results: Any = results,
                         lifts: list[RoadReopened] = lifts, c: Any = ctx,
                         improved: bool = improved) -> str:
            if (w.epoch, w.version) == (epoch, version):
                stage(w, c.clock, c.schedules, new_state, results)
                await disaster.record_outcomes(rt, w, c, new_state, results)
                return "committed" if improved else "nothing_better"
            if any(isinstance(o, outcomes.EvacuationBooked) for o in results):
                # Evacuees placed on an older state: placed again by the next tick.
                now_state, out = apply_all(c.dispatcher, w.state, lifts)
                stage(w, c.clock, c.schedules, now_state, out)
                return "discarded" if improved else "nothing_better"
            # Written meanwhile: lifts are a cheap re-check, done again on the state of now;
            # the re-optimised routes are carried over if they still fit and still help.
            now_state, out = apply_all(c.dispatcher, w.state, lifts)
            refusals: list[Refusal] = []
            carried = rebase(base, new_state, now_state, c.dispatcher, refusals)
            if improved:
                for reason in refusals:
                    REOPTIMISE_REFUSALS.labels(reason.value).inc()
            if carried is None:
                stage(w, c.clock, c.schedules, now_state, out)
                return round_fate(improved, refusals, None)
            rebased, more = carried
            stage(w, c.clock, c.schedules, rebased, [*out, *more])
            moved = next((o.vehicle_ids for o in more if isinstance(o, outcomes.PlanChanged)),
                         ())
            return round_fate(improved, refusals, None if not more else
                              set(changed_vehicles(base.plan, new_state.plan)) <= set(moved))

        result = await ctx.store.write(commit)
        if rounds:
            REOPTIMISE_ROUNDS.labels(result).inc()
        committed = committed and result != "discarded"
    for closure_id in expired:
        await rt.store.hdel(rt.store.keys.closures, closure_id)
    return committed


async def _tick_forever(rt: Runtime) -> None:
    interval = rt.settings.tick_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            # Of several processes serving the area, the one that takes the lease ticks.
            if await rt.store.take_lease(rt.store.keys.tick_lease, int(interval * 900)):
                await tick_once(rt)
        except Exception:  # a failed tick must not stop the next one
            log.exception("tick failed")
        try:  # staff writes' audit entries, queued in Redis, into the history database
            await flush_audit(rt)
        except Exception:
            log.exception("audit flush failed; the entries stay queued in Redis")


def demo_depot(network: RoadNetwork) -> Any:
    """Where the demo fleet starts: the demo town's depot yard, snapped onto the road network."""
    lat, lon = network.graph.graph["places"]["depot"]
    return network.snap(lat, lon)
