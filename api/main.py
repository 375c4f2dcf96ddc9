"""``create_app(settings)``: the dispatch service of one service area.

At start the app connects to Redis (or, in demo mode, an in-process fakeredis), loads the
road network (derived data: rebuilt from its source at every start), opens the area in Redis
if it is new, and starts a ticker that lets time pass in the dispatcher (re-timing,
re-optimisation, lifting closures whose ``until`` has passed; ``api.ticker`` runs it in a
helper process so that OR-Tools never stalls requests). Everything else it knows lives
in Redis, so a restarted process picks up exactly where the last one stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from pydantic import SecretStr
from redis.asyncio import Redis

from api.clock import ServiceClock, local_date, utc_now
from api.errors import install_error_handlers
from api.metrics import RequestMetrics
from api.middleware import BodySizeLimit
from api.notify import apply_event, stage
from api.routers import bookings, closures, events, health, offers, riders, vehicles
from api.service_day import TodaysDispatcher
from api.settings import Settings
from api.snap_cache import SnapCache
from api.store import StateStore, Write
from api.ticker import Ticker
from api.views import ScheduleCache
from maas.domain import TimeWindow
from solver.dispatch import DispatchState
from solver.dispatch.events import RoadReopened, Tick

log = logging.getLogger("maas.api")

DEMO_OPERATOR_TOKEN = "demo-operator"  # demo mode only; printed at start
DEMO_OPERATING_HOURS = "00:00-48:00"


def create_app(settings: Settings, *, redis: Redis | None = None, network: Any = None) -> FastAPI:
    """The FastAPI app for ``settings``; ``redis`` and ``network`` may be given ready-made
    (tests share one loaded road network between apps)."""
    settings.check_startable()
    if settings.demo and settings.operator_token is None:
        settings = settings.model_copy(update={"operator_token": SecretStr(DEMO_OPERATOR_TOKEN)})
    if settings.demo and "operating_hours" not in settings.model_fields_set:
        # The demo must work whenever someone tries it, not only in a town's opening hours.
        settings = settings.model_copy(update={"operating_hours": DEMO_OPERATING_HOURS})

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = redis if redis is not None else _connect(settings)
        store = StateStore(client, settings.area, events_maxlen=settings.events_maxlen)
        roads = network if network is not None else _load_network(settings)
        today = local_date(utc_now(), settings.timezone)
        day = await store.open_area(today, settings.timezone, lambda: DispatchState.empty(
            settings.area, (), ServiceClock(today, settings.timezone).now_seconds()))
        clock = ServiceClock(day, settings.timezone)
        app.state.settings, app.state.store, app.state.network = settings, store, roads
        app.state.dispatcher, app.state.clock = TodaysDispatcher(roads, settings, clock), clock
        app.state.schedules = ScheduleCache(app.state.dispatcher)
        app.state.snapper = SnapCache(roads)
        helper = settings.tick_seconds > 0 and network is None
        app.state.ticker = (Ticker.in_helper_process(settings.network, settings.polygon)
                            if helper else Ticker(None))
        app.state.ticker.warm()
        if settings.demo:
            await _open_demo_fleet(app)
        # The road network and the imports are many long-lived objects: keep them out of the
        # cyclic collector's full passes, whose pauses would otherwise grow with the town.
        gc.collect()
        gc.freeze()
        ticker = asyncio.create_task(_tick_forever(app)) if settings.tick_seconds > 0 else None
        try:
            yield
        finally:
            if ticker is not None:
                ticker.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await ticker
            app.state.ticker.close()
            if redis is None:
                await client.aclose()

    app = FastAPI(
        title="maas dispatch API",
        version="1",
        summary="On-demand rural transit: offers, bookings, manifests, closures.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(RequestMetrics)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    for module in (health, riders, vehicles, offers, bookings, closures, events):
        app.include_router(module.router)
    return app


def app_from_env() -> FastAPI:
    """The app with settings from ``MAAS_*`` environment variables (``uvicorn --factory``)."""
    return create_app(Settings())


def _connect(settings: Settings) -> Redis:
    if settings.redis_url:
        return Redis.from_url(settings.redis_url)
    import fakeredis  # demo mode only: an in-process Redis-compatible server

    return fakeredis.FakeAsyncRedis()


def _load_network(settings: Settings) -> Any:
    from maas.roads import load_network

    return load_network(settings.network, polygon=settings.polygon)


async def tick_once(app: FastAPI) -> bool:
    """Let time pass in the dispatcher and lift closures whose ``until`` has passed; returns
    whether the result was committed (not if the state changed while it was computed)."""
    store: StateStore = app.state.store
    clock: ServiceClock = app.state.clock
    now = clock.now_seconds()
    expired = [cid for cid, rec in (await store.records(store.keys.closures)).items()
               if rec.get("until") is not None and rec["until"] <= now]
    epoch, version, state = await store.snapshot()
    in_force = {getattr(c, "id", None) for c in state.closures}
    events = [*(RoadReopened(cid, now) for cid in expired if cid in in_force), Tick(now)]
    new_state, results = await app.state.ticker.run(app.state.dispatcher(), state, events)

    async def commit(w: Write) -> bool:
        if (w.epoch, w.version) != (epoch, version):
            return False  # someone wrote meanwhile: the next tick starts from their state
        for closure_id in expired:
            w.hdel(store.keys.closures, closure_id)
        stage(w, clock, app.state.schedules, new_state, results)
        return True

    return await store.write(commit)


async def _tick_forever(app: FastAPI) -> None:
    store: StateStore = app.state.store
    interval = app.state.settings.tick_seconds
    while True:
        await asyncio.sleep(interval)
        try:
            # Of several processes serving the area, the one that takes the lease ticks.
            if await store.take_lease(store.keys.tick_lease, int(interval * 900)):
                await tick_once(app)
        except Exception:  # a failed tick must not stop the next one
            log.exception("tick failed")


async def _open_demo_fleet(app: FastAPI) -> None:
    """Demo mode: put a small fleet at the demo town's depot if the area has no vans."""
    from api.auth import Role, hash_token
    from maas.domain import Vehicle, VehicleType
    from solver.dispatch.events import AddVehicle

    settings: Settings = app.state.settings
    store: StateStore = app.state.store
    clock: ServiceClock = app.state.clock
    if (await store.state()).vehicles:
        return
    depot = demo_depot(app.state.network)
    now = clock.now()
    shift = TimeWindow(clock.earliest(now - timedelta(hours=1)),
                       clock.latest(now + timedelta(hours=14)))
    for i in range(1, settings.demo_vehicles + 1):
        vehicle = Vehicle(id=f"demo-van-{i}", type=VehicleType(name=f"Demo van {i}"),
                          depot=depot, shift=shift)
        token = f"demo-driver-{i}"

        async def add(w: Write, vehicle: Vehicle = vehicle, token: str = token) -> None:
            if w.state.vehicle(vehicle.id) is not None:  # another worker added it first
                return
            apply_event(w, app.state.dispatcher(), app.state.schedules, clock, AddVehicle(vehicle))
            w.hset(store.keys.vehicles, vehicle.id, json.dumps({
                "id": vehicle.id, "name": vehicle.type.name, "seats": vehicle.type.seats,
                "wheelchair_places": vehicle.type.wheelchair_places,
                "depot": {"lat": depot.lat, "lon": depot.lon},
                "shift_start": clock.iso(shift.earliest), "shift_end": clock.iso(shift.latest)}))
            w.hset(store.keys.tokens, hash_token(token),
                   json.dumps({"role": Role.DRIVER.value, "id": vehicle.id}))

        await store.write(add)
    log.warning("demo fleet: %d vans at (%.5f, %.5f); driver tokens demo-driver-1..%d",
                settings.demo_vehicles, depot.lat, depot.lon, settings.demo_vehicles)


def demo_depot(network: Any) -> Any:
    """Where the demo fleet starts: the demo town's depot yard, snapped onto the road network."""
    lat, lon = network.graph.graph["places"]["depot"]
    return network.snap(lat, lon)

