"""Redis as the single source of truth of one service area, kept per service day.

Every key of an area shares the hash tag ``{area}``, so one Redis (or one Redis Cluster slot)
holds a whole town and many towns share one Redis. Area-wide keys live as long as the
service; a day's keys live while the day is open (it enters the booking horizon) and leave
Redis when it closes (``api.day_cycle``), so the footprint follows the open days' bookings,
never the history:

    maas:{area}:meta          hash: schema version, timezone, training
    maas:{area}:days          hash date -> day record (status, planned, counts) (JSON)
    maas:{area}:clock         the training clock's setting (``maas serve --training`` only)
    maas:{area}:riders        hash rider id -> rider record (JSON)
    maas:{area}:vehicles      hash vehicle id -> vehicle record (name, ...) (JSON)
    maas:{area}:shippers      hash shipper id -> shipper record (name, kind) (JSON)
    maas:{area}:tokens        hash sha256(token) -> principal (JSON)
    maas:{area}:closures      hash closure id -> {"until": ISO 8601 or null} (JSON)
    maas:{area}:standing      hash standing booking id -> standing booking (JSON)
    maas:{area}:disasters     hash event id -> declared flood or landslide (schema
                              maas.disaster v1: polygons' closure ids, status, evacuation)
    maas:{area}:offer:{id}    offer record (JSON, schema maas.offer v2: ``api.offer_records``),
                              with the offer's TTL
    maas:{area}:idem:{who}:{key}  booking id, with the idempotency TTL
    maas:{area}:events        stream of server-sent events (trimmed to a maximum length, and
                              at each day's close to the events since the previous close)
    maas:{area}:tick-lease    which process runs the next tick (expires by itself)
    maas:{area}:lock:{name}   a short read-change-write no other worker may interleave
                              (``AreaStore.exclusive``; expires by itself)
    maas:{area}:shifts        hash vehicle id -> shift record over the roster (``api.shifts``)
    maas:{area}:drivers       hash driver id -> driver account (``api.drivers``)
    maas:{area}:van-drivers   hash "{date}:{vehicle id}" -> driver id (``api.drivers``)

    maas:{area}:day:{date}:epoch     random id of this day's data
    maas:{area}:day:{date}:version   integer, +1 on every write of the day's dispatch state
    maas:{area}:day:{date}:state     the day's solver.dispatch.DispatchState: root JSON
                                     (``api.codec``: types by tag, ``api.stored_types``)
    maas:{area}:day:{date}:parts     hash part name -> JSON of a booking, route or van
    maas:{area}:day:{date}:bookings  hash booking id -> booking record (owner, ...) (JSON)
    maas:{area}:day:{date}:parcels   hash parcel id -> parcel record (shipper, ...) (JSON,
                                     schema ``maas.parcel`` v1; the parcel itself is a
                                     booking of the dispatch state, ``Request.is_parcel``)
    maas:{area}:day:{date}:positions          hash vehicle id -> latest position report
                                              (schema maas.position v2: ``api.positions``)
    maas:{area}:day:{date}:positions-version  integer, +1 on every position report

Position reports (GPS pings) do not write the dispatch state: they set one field of the
day's positions hash, and readers merge the newest positions into the state they read
(``api.positions``); the next committed write carries them into the state itself.

Booking ids carry their day (``b_20261208_...``), so a booking is found without an index.

Writes of a day's dispatch state are serialised per day by an optimistic version check:
WATCH the version, read the state, let the dispatcher compute, then MULTI/EXEC the new state
with everything that goes with it (booking record, idempotency key, events). A concurrent
writer makes EXEC fail and the step runs again on the newer state, so two API processes on
one Redis behave as one. Inside one process an asyncio lock per day queues the writers
first, so that they do not waste work on conflicts among themselves.

The decoded state is cached per (epoch, version), and its parts per day
(``codec.PartCache``, owned by the ``DayStore``): caches, not state; a restarted process
rebuilds them from Redis.

Layout versions (``schema`` in the meta hash): 2 named stored types by Python
``module:Class``; 3 by the stable tags of ``api.stored_types``. A service opening an area at
layout 2 migrates it first (``api.migrations``); it refuses any other layout.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import WatchError

from api import codec, migrations, positions
from api.errors import ApiError
from api.metrics import STATE_BYTES, STATE_WRITES
from maas.domain import Location
from solver.dispatch import DispatchState

T = TypeVar("T")

MAX_WRITE_ATTEMPTS = 64


# Of the area's key layout; 2: live state per service day; 3: stored types by tag
# (``api.stored_types``), migrated from 2 on open (``api.migrations``).
SCHEMA_VERSION = "3"


class DayKeys:
    """Key names of one service day of an area (in the area's hash slot)."""

    def __init__(self, area_prefix: str, day: date) -> None:
        self.day = day
        self.prefix = f"{area_prefix}day:{day.isoformat()}:"
        p = self.prefix
        self.epoch, self.version, self.state = p + "epoch", p + "version", p + "state"
        self.parts, self.bookings = p + "parts", p + "bookings"
        self.parcels = p + "parcels"
        self.positions, self.positions_version = p + "positions", p + "positions-version"

    def all(self) -> tuple[str, ...]:
        """Every key of the day (for closing it)."""
        return (self.epoch, self.version, self.state, self.parts, self.bookings,
                self.positions, self.positions_version, self.parcels)


class AreaKeys:
    """Key names of one service area, all in the hash slot of ``{area}``."""

    def __init__(self, area: str) -> None:
        self.prefix = f"maas:{{{area}}}:"
        p = self.prefix
        self.meta, self.days, self.clock = p + "meta", p + "days", p + "clock"
        self.riders, self.vehicles, self.tokens = p + "riders", p + "vehicles", p + "tokens"
        self.events, self.closures, self.standing = p + "events", p + "closures", p + "standing"
        self.tick_lease = p + "tick-lease"
        self.disasters = p + "disasters"
        self.shippers = p + "shippers"

    def day(self, day: date) -> DayKeys:
        return DayKeys(self.prefix, day)

    def offer(self, offer_id: str) -> str:
        return f"{self.prefix}offer:{offer_id}"

    def idempotency(self, caller: str, key: str) -> str:
        return f"{self.prefix}idem:{caller}:{key}"


@dataclass
class Write:
    """One write step's view: the state at a version, and what to commit with the new state.

    Steps read extra keys through ``get`` (watched, so a concurrent change to them also
    retries the step) or ``hget`` (a hash field, not watched) and queue writes with the
    other methods; nothing reaches Redis unless the whole step commits. Keys named in
    ``StateStore.write(reads=...)`` arrive watched with the version, so their ``get`` costs no
    round trip.
    """

    pipe: Pipeline
    state: DispatchState
    version: int
    epoch: str = ""
    new_state: DispatchState | None = None
    _ops: list[Callable[[Pipeline], Any]] = field(default_factory=list)
    _events: list[dict[str, str]] = field(default_factory=list)
    _prefetched: dict[str, str | None] = field(default_factory=dict)

    async def get(self, key: str) -> str | None:
        if key in self._prefetched:
            return self._prefetched[key]
        await self.pipe.watch(key)
        value = await self.pipe.get(key)
        return _text(value)

    async def hget(self, key: str, name: str) -> str | None:
        value = await _pending(self.pipe.hget(key, name))
        return _text(value)

    def set(self, key: str, value: str, ttl_ms: int | None = None, keepttl: bool = False) -> None:
        self._ops.append(lambda p: p.set(key, value, px=ttl_ms, keepttl=keepttl))

    def hset(self, key: str, name: str, value: str) -> None:
        self._ops.append(lambda p: p.hset(key, name, value))

    def hdel(self, key: str, name: str) -> None:
        self._ops.append(lambda p: p.hdel(key, name))

    def publish(self, kind: str, data: dict[str, Any], vehicle_ids: tuple[str, ...] = (),
                rider_ids: tuple[str, ...] = ()) -> None:
        """Queue a server-sent event; drivers and riders see only events naming them."""
        self._events.append(event_entry(kind, data, vehicle_ids, rider_ids))

    def publish_entries(self, entries: list[dict[str, str]]) -> None:
        """Queue events already made with ``event_entry``."""
        self._events.extend(entries)


def event_entry(kind: str, data: dict[str, Any], vehicle_ids: tuple[str, ...] = (),
                rider_ids: tuple[str, ...] = ()) -> dict[str, str]:
    """One entry of the event stream (schema: kind, vehicles, riders, data as JSON)."""
    return {
        "kind": kind,
        "vehicles": ",".join(vehicle_ids),
        "riders": ",".join(r for r in rider_ids if r),
        "data": json.dumps(data, separators=(",", ":")),
    }


# Delete a lock only while it still holds our token (an expired lock may be someone else's).
_RELEASE = """if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0"""


def _busy() -> ApiError:
    return ApiError(503, "busy", "the service area is too busy right now; retry shortly")


def _raise_if_connection_lost(exc: WatchError) -> None:
    """redis-py reports a connection lost (or timed out) while watching as a WatchError;
    that is Redis trouble (503 at once), not a concurrent writer to retry against. Whatever
    EXEC may have done is safe to redo: every step finds its own earlier commit (an
    idempotency key, a stop already reported) and answers as before."""
    if "occurred while watching" in str(exc):
        raise RedisConnectionError(str(exc)) from exc


class AreaError(ApiError):
    """The area in Redis cannot be served by this process."""


class DayStore:
    """The Redis state of one service day of an area (``DayKeys``)."""

    def __init__(self, redis: Redis, area_keys: AreaKeys, day: date,
                 events_maxlen: int = 10_000, write_wait_s: float = 5.0) -> None:
        self.redis = redis
        self.area_keys = area_keys
        self.keys = area_keys.day(day)
        self.day = day
        self.events_maxlen = events_maxlen
        self.write_wait_s = write_wait_s
        self._lock = asyncio.Lock()
        self._cache: tuple[str, int, DispatchState] | None = None
        self._merged: tuple[str, int, int, DispatchState] | None = None
        # The day's parts, encoded and decoded, in this process: lives as long as this
        # DayStore (until the day closes or the worker stops), retained to the current
        # state's parts after every read and write (bounded by codec.CACHE_LIMIT).
        self.parts = codec.PartCache()
        self.pending_bytes = 0  # of the write being committed (for the metrics)

    async def exists(self) -> bool:
        """Whether the day is open (its state is in Redis)."""
        return bool(await self.redis.exists(self.keys.version))

    async def state(self) -> DispatchState:
        """The current dispatch state (read-only use: offers, manifests, listings)."""
        return (await self.snapshot())[2]

    async def snapshot(self) -> tuple[str, int, DispatchState]:
        """``(epoch, version, state)``: the state and what identifies it, for a later check
        (``Write.epoch``, ``Write.version``) that it is still current."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            epoch, version, moved = await self.redis.mget(
                self.keys.epoch, self.keys.version, self.keys.positions_version)
            epoch_s, version_i = _text(epoch) or "", int(version or 0)
            try:
                base = await self._decoded(self.redis, epoch_s, version_i)
            except codec.MissingParts:  # a writer replaced parts between our two reads
                continue
            state = await self._with_positions(self.redis, base, epoch_s, version_i,
                                               int(moved or 0))
            return epoch_s, version_i, state
        raise _busy()

    async def _with_positions(self, client: Redis | Pipeline, base: DispatchState, epoch: str,
                              version: int, moved: int) -> DispatchState:
        """``base`` with the vans' latest reported positions merged in (cached per
        positions version)."""
        if moved == 0:
            return base
        cached = self._merged
        if cached is not None and cached[:3] == (epoch, version, moved):
            return cached[3]
        raw = await _pending(client.hgetall(self.keys.positions))
        reports = {_text(k) or "": positions.parse_record(v) for k, v in raw.items()}
        state = positions.merge(base, reports)
        self._merged = (epoch, version, moved, state)
        return state

    async def report_position(self, vehicle_id: str, location: Location, at: int) -> bool:
        """Record a van's position at ``at`` unless a report as new is known (then False).
        One hash field and a counter: the dispatch state is not rewritten."""
        record = positions.position_record(location, at)
        for attempt in range(MAX_WRITE_ATTEMPTS):
            async with self.redis.pipeline(transaction=True) as pipe:
                try:
                    await pipe.watch(self.keys.positions, self.keys.version)
                    known = positions.record_at(
                        await _pending(pipe.hget(self.keys.positions, vehicle_id)))
                    if (known is not None and known >= at) or not await pipe.exists(
                            self.keys.version):  # older, or the day has closed meanwhile
                        await pipe.unwatch()
                        return False
                    pipe.multi()
                    pipe.hset(self.keys.positions, vehicle_id, record)
                    pipe.incr(self.keys.positions_version)
                    await pipe.execute()
                except WatchError as exc:
                    _raise_if_connection_lost(exc)
                    await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                    continue
            STATE_BYTES.inc(len(record))
            return True
        raise _busy()

    async def _decoded(self, client: Redis | Pipeline, epoch: str, version: int) -> DispatchState:
        """The state at ``version``: from the cache, or its root and the parts not yet known
        here (raises ``codec.MissingParts`` when they changed in between)."""
        cached = self._cache
        if cached is not None and cached[0] == epoch and cached[1] == version:
            return cached[2]
        raw = await client.get(self.keys.state)
        if raw is None:
            raise ApiError(404, "day_not_open", f"service day {self.day} is not open")
        tree = codec.parse_root(raw)
        names = sorted(codec.missing_parts(tree, self.parts))
        texts: dict[str, str] = {}
        if names:
            values = await _pending(client.hmget(self.keys.parts, names))
            if any(v is None for v in values):
                raise codec.MissingParts(", ".join(n for n, v in zip(names, values,
                                                                      strict=True) if v is None))
            texts = {n: _text(v) or "" for n, v in zip(names, values, strict=True)}
        state: DispatchState = codec.join(tree, texts, self.parts)
        self._cache = (epoch, version, state)
        self.parts.retain(codec.part_names(tree))
        return state

    async def write(self, step: Callable[[Write], Awaitable[T]],
                    reads: tuple[str, ...] = ()) -> T:
        """Run ``step`` on the current state and commit its writes atomically.

        ``step`` may set ``new_state``, queue writes and events, or raise (``ApiError``) to
        abort with nothing written. It runs again, on the newer state, whenever another
        writer committed first, so it must not have side effects outside ``Write``.
        ``reads`` are keys the step will ``get``: they are watched and read together with the
        version. Every round trip here holds this process's write lock and, on a busy event
        loop, waits behind every ready request, so a booking makes three when the state is
        cached (WATCH, MGET, MULTI/EXEC) instead of seven.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.write_wait_s
        try:  # a hung Redis holds the lock for a socket timeout: queue behind it, not forever
            await asyncio.wait_for(self._lock.acquire(), self.write_wait_s)
        except TimeoutError:
            raise _busy() from None
        try:
            for attempt in range(MAX_WRITE_ATTEMPTS):
                if attempt and loop.time() > deadline:
                    raise _busy()
                async with self.redis.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(self.keys.version, self.keys.epoch, *reads)
                        epoch, version, moved, *values = await pipe.mget(
                            self.keys.epoch, self.keys.version, self.keys.positions_version,
                            *reads)
                        epoch_s, version_i = _text(epoch) or "", int(version or 0)
                        try:
                            base = await self._decoded(pipe, epoch_s, version_i)
                        except codec.MissingParts as exc:  # changed while read: run again
                            raise WatchError(str(exc)) from exc
                        state = await self._with_positions(pipe, base, epoch_s, version_i,
                                                           int(moved or 0))
                        w = Write(pipe, state, version_i, epoch_s, _prefetched={
                            k: _text(v) for k, v in zip(reads, values, strict=True)})
                        result = await step(w)
                        if w.new_state is None and not w._ops and not w._events:
                            await pipe.unwatch()
                            return result
                        pipe.multi()
                        names = None
                        if w.new_state is not None:
                            names = self._queue_state(pipe, base, w.new_state)
                        for op in w._ops:
                            op(pipe)
                        for event in w._events:
                            pipe.xadd(self.area_keys.events, cast(Any, event),
                                      maxlen=self.events_maxlen, approximate=True)
                        await pipe.execute()
                    except WatchError as exc:
                        _raise_if_connection_lost(exc)
                        await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                        continue
                if w.new_state is not None:
                    self._cache = (epoch_s, version_i + 1, w.new_state)
                    self.parts.retain(names or set())
                    STATE_BYTES.inc(self.pending_bytes)
                    STATE_WRITES.inc()
                return result
        finally:
            self._lock.release()
        raise _busy()

    def _queue_state(self, pipe: Pipeline, old: DispatchState, new: DispatchState) -> set[str]:
        """Queue the new root, the parts it adds and the removal of the parts it dropped;
        returns the names of the new state's parts."""
        root, parts = codec.split(new, self.parts)
        _, old_parts = codec.split(old, self.parts)  # cached by identity: no re-encoding
        pipe.set(self.keys.state, root)
        pipe.incr(self.keys.version)
        added = {name: text for name, text in parts.items() if name not in old_parts}
        if added:
            pipe.hset(self.keys.parts, mapping=added)
        self.pending_bytes = len(root) + sum(len(t) for t in added.values())
        dropped = [name for name in old_parts if name not in parts]
        if dropped:
            pipe.hdel(self.keys.parts, *dropped)
        return set(parts)


class AreaStore:
    """The Redis state of one service area: area-wide records and one ``DayStore`` per open
    service day (see the module docstring for the key layout)."""

    def __init__(self, redis: Redis, area: str, events_maxlen: int = 10_000,
                 write_wait_s: float = 5.0) -> None:
        self.redis = redis
        self.area = area
        self.keys = AreaKeys(area)
        self.events_maxlen = events_maxlen
        self.write_wait_s = write_wait_s
        self._days: dict[date, DayStore] = {}

    # --- the area -------------------------------------------------------------------------

    async def open_area(self, timezone: str, training: bool) -> None:
        """Record the area's layout version, time zone and mode, or check them if present.

        An area at layout 2 is migrated to the current layout first (``api.migrations``).
        A training service refuses an area that real service wrote, and a real service a
        training area: training clocks run ahead, and their bookings are not real.
        """
        await self.hsetnx(self.keys.meta, "schema", SCHEMA_VERSION)
        if _text(await _pending(self.redis.hget(self.keys.meta, "schema"))) == "2":
            await migrations.migrate_v2_to_v3(self)
        await self.hsetnx(self.keys.meta, "timezone", timezone)
        await self.hsetnx(self.keys.meta, "training", "1" if training else "0")
        meta = {(_text(k) or ""): (_text(v) or "")
                for k, v in (await _pending(self.redis.hgetall(self.keys.meta))).items()}
        if meta.get("schema") != SCHEMA_VERSION:
            raise AreaError(503, "area_schema", f"area {self.area!r} in Redis has key layout "
                            f"{meta.get('schema')!r}; this service reads {SCHEMA_VERSION!r}")
        if (meta.get("training") == "1") != training:
            kind = "a training area" if meta.get("training") == "1" else "a real service area"
            raise AreaError(503, "area_mode", f"area {self.area!r} in Redis is {kind}; "
                            "start with the matching --training setting or another MAAS_AREA")
        if meta.get("timezone") != timezone:
            raise AreaError(503, "area_timezone", f"area {self.area!r} runs on "
                            f"{meta.get('timezone')}, not {timezone}")

    # --- service days ---------------------------------------------------------------------

    def day(self, day: date) -> DayStore:
        """The store of one service day (open or not)."""
        found = self._days.get(day)
        if found is None:
            found = self._days[day] = DayStore(self.redis, self.keys, day, self.events_maxlen,
                                               self.write_wait_s)
        return found

    async def day_records(self) -> dict[date, dict[str, Any]]:
        """The open days' records, by date. Drops the part caches of days not open (one
        another worker closed keeps no parts cached here)."""
        raw = await _pending(self.redis.hgetall(self.keys.days))
        records = {date.fromisoformat(_text(k) or ""): json.loads(v) for k, v in raw.items()}
        for day, store in self._days.items():
            if day not in records and len(store.parts):
                store.parts.retain(set())
        return records

    async def open_day(self, day: date, state: DispatchState, record: dict[str, Any],
                       bookings: dict[str, str], events: list[dict[str, Any]]) -> bool:
        """Open ``day`` with its first state, day record, booking records and events in one
        transaction; False (nothing written) if it is open already."""
        keys = self.keys.day(day)
        async with self.redis.pipeline(transaction=True) as pipe:
            for attempt in range(MAX_WRITE_ATTEMPTS):
                try:
                    await pipe.watch(keys.version, self.keys.days, self.keys.meta)
                    closed = _text(await _pending(pipe.hget(self.keys.meta, "last_closed")))
                    if (await pipe.exists(keys.version)
                            or await _pending(pipe.hexists(self.keys.days, day.isoformat()))
                            or (closed is not None and day <= date.fromisoformat(closed))):
                        await pipe.unwatch()
                        return False
                    root, parts = codec.split(state, self.day(day).parts)
                    pipe.multi()
                    pipe.set(keys.epoch, secrets.token_hex(8))
                    pipe.set(keys.state, root)
                    if parts:
                        pipe.hset(keys.parts, mapping=parts)
                    if bookings:
                        pipe.hset(keys.bookings, mapping=bookings)
                    pipe.set(keys.version, 1)
                    pipe.hset(self.keys.days, day.isoformat(), json.dumps(record))
                    for event in events:
                        pipe.xadd(self.keys.events, cast(Any, event), maxlen=self.events_maxlen,
                                  approximate=True)
                    await pipe.execute()
                    return True
                except WatchError as exc:
                    _raise_if_connection_lost(exc)
                    await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
        raise _busy()

    async def close_day(self, day: date, expected_version: int) -> bool:
        """Remove a day's keys and record, if its state is still at ``expected_version``; a
        day once closed never opens again (``last_closed``)."""
        keys = self.keys.day(day)
        async with self.redis.pipeline(transaction=True) as pipe:
            try:
                await pipe.watch(keys.version, self.keys.meta)
                if int(await pipe.get(keys.version) or 0) != expected_version:
                    await pipe.unwatch()
                    return False
                closed = _text(await _pending(pipe.hget(self.keys.meta, "last_closed")))
                latest = max(day, date.fromisoformat(closed)) if closed else day
                pipe.multi()
                pipe.delete(*keys.all())
                pipe.hdel(self.keys.days, day.isoformat())
                pipe.hset(self.keys.meta, "last_closed", latest.isoformat())
                await pipe.execute()
            except WatchError as exc:
                _raise_if_connection_lost(exc)
                return False
        self._days.pop(day, None)
        return True

    async def trim_events_at_close(self) -> None:
        """Drop the events older than the previous day's close: a closed day's events have
        been delivered, and the stream then holds about a day of events whatever the history
        (besides the ``events_maxlen`` cap). ``events_mark`` in the meta keeps the boundary."""
        mark = _text(await _pending(self.redis.hget(self.keys.meta, "events_mark")))
        if mark is not None:
            await self.redis.xtrim(self.keys.events, minid=mark)
        await self.hset(self.keys.meta, "events_mark", await self.last_event_id())

    async def set_day_record(self, day: date, record: dict[str, Any]) -> None:
        """Replace an open day's record."""
        await _pending(self.redis.hset(self.keys.days, day.isoformat(), json.dumps(record)))

    # --- records beside the state ---------------------------------------------------------

    async def publish(self, entries: list[dict[str, str]]) -> None:
        """Add events (``event_entry``) that go with no state change."""
        async with self.redis.pipeline(transaction=True) as pipe:
            for entry in entries:
                pipe.xadd(self.keys.events, cast(Any, entry), maxlen=self.events_maxlen,
                          approximate=True)
            await pipe.execute()

    async def hset(self, key: str, name: str, value: str) -> None:
        """Set one field of one of the area's hashes."""
        await _pending(self.redis.hset(key, name, value))

    async def hsetnx(self, key: str, name: str, value: str) -> bool:
        """Set one field of a hash unless it exists; whether it was set."""
        return bool(await _pending(self.redis.hsetnx(key, name, value)))

    async def hdel(self, key: str, name: str) -> None:
        """Remove one field of one of the area's hashes."""
        await _pending(self.redis.hdel(key, name))

    @asynccontextmanager
    async def exclusive(self, name: str, ttl_ms: int = 30_000, wait_s: float = 10.0
                        ) -> AsyncIterator[None]:
        """Hold the area-wide lock ``name`` while the block runs, against every worker and
        process of the area: for a read-change-write of records that one transaction cannot
        cover. Waits up to ``wait_s`` for it (then 503 ``busy``); it expires after
        ``ttl_ms`` if its holder dies, and is released only by its holder."""
        key, token = f"{self.keys.prefix}lock:{name}", secrets.token_hex(8)
        deadline, pause = asyncio.get_running_loop().time() + wait_s, 0.01
        while not await _pending(self.redis.set(key, token, nx=True, px=ttl_ms)):
            if asyncio.get_running_loop().time() >= deadline:
                raise ApiError(503, "busy", f"{name} is being changed by another request; "
                               "retry shortly")
            await asyncio.sleep(pause * (1 + random.random()))
            pause = min(pause * 2, 0.2)
        try:
            yield
        finally:
            await _pending(self.redis.eval(_RELEASE, 1, key, token))

    async def take_lease(self, key: str, ttl_ms: int) -> bool:
        """Whether this process got the lease ``key`` for ``ttl_ms`` (nobody else holds it)."""
        return bool(await self.redis.set(key, str(os.getpid()), nx=True, px=max(ttl_ms, 1)))

    async def record(self, hash_key: str, record_id: str) -> dict[str, Any] | None:
        """A JSON record from one of the area's hashes (riders, vehicles, bookings)."""
        raw = await _pending(self.redis.hget(hash_key, record_id))
        return None if raw is None else json.loads(raw)

    async def records(self, hash_key: str) -> dict[str, dict[str, Any]]:
        """Every record of one of the area's hashes, by id."""
        raw = await _pending(self.redis.hgetall(hash_key))
        return {_text(k) or "": json.loads(v) for k, v in raw.items()}

    async def add_with_token(self, hash_key: str, record_id: str, record: dict[str, Any],
                             token_hash: str, principal: dict[str, Any]) -> None:
        """Store a new rider or vehicle record together with its token hash."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.hset(hash_key, record_id, json.dumps(record))
            pipe.hset(self.keys.tokens, token_hash, json.dumps(principal))
            await pipe.execute()

    async def principal(self, token_hash: str) -> dict[str, Any] | None:
        """Who holds the token with this hash, if anyone."""
        raw = await _pending(self.redis.hget(self.keys.tokens, token_hash))
        return None if raw is None else json.loads(raw)

    async def put_offer(self, offer_id: str, record: dict[str, Any], ttl_ms: int) -> None:
        """Keep an offer until it expires; it holds no seat."""
        await self.redis.set(self.keys.offer(offer_id), json.dumps(record), px=max(ttl_ms, 1))

    async def read_events(self, last_id: str, block_ms: int) -> list[tuple[str, dict[str, str]]]:
        """Stream entries after ``last_id`` (waiting up to ``block_ms`` for the first one)."""
        got = await self.redis.xread({self.keys.events: last_id}, block=block_ms, count=100)
        out: list[tuple[str, dict[str, str]]] = []
        for _stream, entries in got or ():
            for entry_id, fields in entries:
                out.append((_text(entry_id) or "", {_text(k) or "": _text(v) or ""
                                                    for k, v in fields.items()}))
        return out

    async def first_event_id(self) -> str | None:
        """Id of the oldest event still on the stream (None when it is empty)."""
        got = await self.redis.xrange(self.keys.events, count=1)
        return _text(got[0][0]) if got else None

    async def last_event_id(self) -> str:
        """Id of the newest event (``0-0`` when there is none)."""
        got = await self.redis.xrevrange(self.keys.events, count=1)
        return _text(got[0][0]) or "0-0" if got else "0-0"


def _pending(result: Any) -> Awaitable[Any]:
    """redis-py types its commands as sync-or-async; on the asyncio client they are awaitable."""
    return cast(Awaitable[Any], result)


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.decode() if isinstance(value, bytes) else str(value)
