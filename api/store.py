"""Redis as the single source of truth of one service area.

Every key of an area shares the hash tag ``{area}``, so one Redis (or one Redis Cluster slot)
holds a whole town and many towns share one Redis:

    maas:{area}:meta          hash: service_day, timezone
    maas:{area}:epoch         random id of this area's data; changes if the data is recreated
    maas:{area}:version       integer, +1 on every write of the dispatch state
    maas:{area}:state         the solver.dispatch.DispatchState: root JSON (api.codec.split)
    maas:{area}:parts         hash part name -> JSON of a booking, route or van of the state
    maas:{area}:riders        hash rider id -> rider record (JSON)
    maas:{area}:vehicles      hash vehicle id -> vehicle record (name, ...) (JSON)
    maas:{area}:tokens        hash sha256(token) -> principal (JSON)
    maas:{area}:bookings      hash booking id -> booking record (owner, ...) (JSON)
    maas:{area}:closures      hash closure id -> {"until": seconds or null} (JSON)
    maas:{area}:offer:{id}    offer record (JSON), with the offer's TTL
    maas:{area}:idem:{who}:{key}  booking id, with the idempotency TTL
    maas:{area}:events        stream of server-sent events
    maas:{area}:tick-lease    which process runs the next tick (expires by itself)

Writes of the dispatch state are serialised per area by an optimistic version check: WATCH
the version, read the state, let the dispatcher compute, then MULTI/EXEC the new state with
everything that goes with it (booking record, idempotency key, events). A concurrent writer
makes EXEC fail and the step runs again on the newer state, so two API processes on one
Redis behave as one. Inside one process an asyncio lock queues the writers first, so that
they do not waste work on conflicts among themselves.

The decoded state is cached per (epoch, version): a cache, not state; a restarted process
rebuilds it from Redis.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar, cast

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline
from redis.exceptions import WatchError

from api import codec
from api.errors import ApiError
from solver.dispatch import DispatchState

T = TypeVar("T")

MAX_WRITE_ATTEMPTS = 64


class AreaKeys:
    """Key names of one service area, all in the hash slot of ``{area}``."""

    def __init__(self, area: str) -> None:
        self.prefix = f"maas:{{{area}}}:"
        p = self.prefix
        self.meta, self.epoch, self.version = p + "meta", p + "epoch", p + "version"
        self.state, self.parts = p + "state", p + "parts"
        self.riders, self.vehicles, self.tokens = p + "riders", p + "vehicles", p + "tokens"
        self.bookings, self.events, self.closures = p + "bookings", p + "events", p + "closures"
        self.tick_lease = p + "tick-lease"

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
        self._events.append({
            "kind": kind,
            "vehicles": ",".join(vehicle_ids),
            "riders": ",".join(r for r in rider_ids if r),
            "data": json.dumps(data, separators=(",", ":")),
        })


class StateStore:
    """The Redis state of one service area (see the module docstring for the key layout)."""

    def __init__(self, redis: Redis, area: str, events_maxlen: int = 10_000) -> None:
        self.redis = redis
        self.area = area
        self.keys = AreaKeys(area)
        self.events_maxlen = events_maxlen
        self._lock = asyncio.Lock()
        self._cache: tuple[str, int, DispatchState] | None = None

    # --- the area -------------------------------------------------------------------------

    async def open_area(self, service_day: date, timezone: str,
                        initial: Callable[[], DispatchState]) -> date:
        """Create the area's state if Redis has none; return the service day it runs on."""
        created = await _pending(
            self.redis.hsetnx(self.keys.meta, "service_day", service_day.isoformat()))
        if created:
            async with self.redis.pipeline(transaction=True) as pipe:
                pipe.hset(self.keys.meta, "timezone", timezone)
                pipe.set(self.keys.epoch, secrets.token_hex(8))
                root, parts = codec.split(initial())
                pipe.set(self.keys.state, root)
                if parts:
                    pipe.hset(self.keys.parts, mapping=parts)
                pipe.incr(self.keys.version)
                await pipe.execute()
        day = _text(await _pending(self.redis.hget(self.keys.meta, "service_day")))
        assert day is not None
        while not await self.redis.exists(self.keys.state):  # another process is creating it
            await asyncio.sleep(0.01)
        return date.fromisoformat(day)

    # --- the dispatch state ---------------------------------------------------------------

    async def state(self) -> DispatchState:
        """The current dispatch state (read-only use: offers, manifests, listings)."""
        return (await self.snapshot())[2]

    async def snapshot(self) -> tuple[str, int, DispatchState]:
        """``(epoch, version, state)``: the state and what identifies it, for a later check
        (``Write.epoch``, ``Write.version``) that it is still current."""
        for _ in range(MAX_WRITE_ATTEMPTS):
            epoch, version = await self.redis.mget(self.keys.epoch, self.keys.version)
            epoch_s, version_i = _text(epoch) or "", int(version or 0)
            try:
                return epoch_s, version_i, await self._decoded(self.redis, epoch_s, version_i)
            except codec.MissingParts:  # a writer replaced parts between our two reads
                continue
        raise ApiError(503, "busy", "the service area is too busy right now; retry shortly")

    async def _decoded(self, client: Redis | Pipeline, epoch: str, version: int) -> DispatchState:
        """The state at ``version``: from the cache, or its root and the parts not yet known
        here (raises ``codec.MissingParts`` when they changed in between)."""
        cached = self._cache
        if cached is not None and cached[0] == epoch and cached[1] == version:
            return cached[2]
        raw = await client.get(self.keys.state)
        if raw is None:
            raise ApiError(503, "not_ready", "the service area has no state in Redis yet")
        tree = codec.parse_root(raw)
        names = sorted(codec.missing_parts(tree))
        texts: dict[str, str] = {}
        if names:
            values = await _pending(client.hmget(self.keys.parts, names))
            if any(v is None for v in values):
                raise codec.MissingParts(", ".join(n for n, v in zip(names, values,
                                                                      strict=True) if v is None))
            texts = {n: _text(v) or "" for n, v in zip(names, values, strict=True)}
        state: DispatchState = codec.join(tree, texts)
        self._cache = (epoch, version, state)
        codec.retain(codec.part_names(tree))
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
        async with self._lock:
            for attempt in range(MAX_WRITE_ATTEMPTS):
                async with self.redis.pipeline(transaction=True) as pipe:
                    try:
                        await pipe.watch(self.keys.version, self.keys.epoch, *reads)
                        epoch, version, *values = await pipe.mget(
                            self.keys.epoch, self.keys.version, *reads)
                        epoch_s, version_i = _text(epoch) or "", int(version or 0)
                        try:
                            state = await self._decoded(pipe, epoch_s, version_i)
                        except codec.MissingParts as exc:  # changed while read: run again
                            raise WatchError(str(exc)) from exc
                        w = Write(pipe, state, version_i, epoch_s, _prefetched={
                            k: _text(v) for k, v in zip(reads, values, strict=True)})
                        result = await step(w)
                        if w.new_state is None and not w._ops and not w._events:
                            await pipe.unwatch()
                            return result
                        pipe.multi()
                        names = None
                        if w.new_state is not None:
                            names = self._queue_state(pipe, w.state, w.new_state)
                        for op in w._ops:
                            op(pipe)
                        for event in w._events:
                            pipe.xadd(self.keys.events, cast(Any, event), maxlen=self.events_maxlen,
                                      approximate=True)
                        await pipe.execute()
                    except WatchError:
                        await asyncio.sleep(random.uniform(0, 0.002 * (attempt + 1)))
                        continue
                if w.new_state is not None:
                    self._cache = (epoch_s, version_i + 1, w.new_state)
                    codec.retain(names or set())
                return result
        raise ApiError(503, "busy", "the service area is too busy right now; retry shortly")

    async def take_lease(self, key: str, ttl_ms: int) -> bool:
        """Whether this process got the lease ``key`` for ``ttl_ms`` (nobody else holds it)."""
        return bool(await self.redis.set(key, str(os.getpid()), nx=True, px=max(ttl_ms, 1)))

    def _queue_state(self, pipe: Pipeline, old: DispatchState, new: DispatchState) -> set[str]:
        """Queue the new root, the parts it adds and the removal of the parts it dropped;
        returns the names of the new state's parts."""
        root, parts = codec.split(new)
        _, old_parts = codec.split(old)  # cached by identity: no re-encoding
        pipe.set(self.keys.state, root)
        pipe.incr(self.keys.version)
        added = {name: text for name, text in parts.items() if name not in old_parts}
        if added:
            pipe.hset(self.keys.parts, mapping=added)
        dropped = [name for name in old_parts if name not in parts]
        if dropped:
            pipe.hdel(self.keys.parts, *dropped)
        return set(parts)

    # --- records beside the state ---------------------------------------------------------

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
