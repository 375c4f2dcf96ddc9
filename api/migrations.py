"""Migrations of an area's Redis layout, as code (``api.store.SCHEMA_VERSION``).

Layout 2 -> 3 (the codec's types by stable tag, not ``module:Class``): for every open
service day, the dispatch state (root and parts) is read, rewritten to the new tags
(``api.codec_v2``), checked by decoding it, and written back split afresh (part names are
hashes of their texts, so every part gets a new name: the parts hash is replaced whole), its
version +1; the day's position records go to ``maas.position`` v2. Then every live offer
record goes to ``maas.offer`` v2 (its TTL kept), and last the area's ``schema`` becomes "3".
Each day is one transaction, and the rewrite leaves current data as it is, so a migration
cut short runs again from the start. It runs under the area lock ``migrate`` (a second
worker starting meanwhile waits for it, then finds layout 3), from ``AreaStore.open_area``
when a service starts on an area at layout 2: stop every worker of the old version first
(docs/operations.md).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, cast

from redis.exceptions import WatchError

from api import codec, codec_v2, offer_records, positions
from solver.dispatch import DispatchState

if TYPE_CHECKING:
    from api.store import AreaStore

log = logging.getLogger(__name__)

MIGRATE_LOCK_MS = 300_000  # the lock outlives any area's migration; it expires if we die


@dataclass
class Migrated:
    """What one migration rewrote."""

    days: int = 0
    parts: int = 0
    positions: int = 0
    offers: int = 0


async def migrate_v2_to_v3(store: AreaStore) -> Migrated | None:
    """Bring the area from layout 2 to 3; None if another worker did it meanwhile."""
    done = Migrated()
    async with store.exclusive("migrate", ttl_ms=MIGRATE_LOCK_MS, wait_s=MIGRATE_LOCK_MS / 1000):
        if _text(await _pending(store.redis.hget(store.keys.meta, "schema"))) != "2":
            return None
        for day in sorted(await store.day_records()):
            parts, moved = await _migrate_day(store, day)
            done.days, done.parts, done.positions = (done.days + 1, done.parts + parts,
                                                     done.positions + moved)
        async for key in store.redis.scan_iter(match=f"{store.keys.prefix}offer:*"):
            done.offers += await _migrate_offer(store, key)
        await store.hset(store.keys.meta, "schema", "3")
    log.info("area %r migrated from layout 2 to 3: %s", store.area, done)
    return done


async def _migrate_day(store: AreaStore, day: date) -> tuple[int, int]:
    """Rewrite one day's state and positions; ``(parts, positions)`` written."""
    keys = store.keys.day(day)
    async with store.redis.pipeline(transaction=True) as pipe:
        while True:
            try:
                await pipe.watch(keys.version, keys.state, keys.parts, keys.positions)
                root = await pipe.get(keys.state)
                if root is None:  # listed but its keys are gone (closed meanwhile)
                    await pipe.unwatch()
                    return 0, 0
                old_parts = await _pending(pipe.hgetall(keys.parts))
                old_positions = await _pending(pipe.hgetall(keys.positions))
                state = migrate_state(root, old_parts)
                new_root, new_parts = codec.split(state)
                moved = {_text(k): _upgrade_position(v) for k, v in old_positions.items()}
                pipe.multi()
                pipe.set(keys.state, new_root)
                pipe.delete(keys.parts)
                if new_parts:
                    pipe.hset(keys.parts, mapping=new_parts)
                if moved:
                    pipe.hset(keys.positions, mapping=cast(Any, moved))
                pipe.incr(keys.version)
                await pipe.execute()
                return len(new_parts), len(moved)
            except WatchError:
                continue


def migrate_state(root: str | bytes, parts: dict[Any, Any]) -> DispatchState:
    """The state of a layout-2 root and its parts (texts by name), read by rewriting them
    to the current tags (a root or part already current stays as it is)."""
    texts = {_text(name): codec_v2.upgrade_text(text) for name, text in parts.items()}
    state = codec.join(codec_v2.upgrade_tree(codec.parse_root(root)), texts)
    if not isinstance(state, DispatchState):
        msg = f"stored state root holds a {type(state).__name__}, not a DispatchState"
        raise codec.CodecError(msg)
    return state


def _upgrade_position(raw: str | bytes) -> str:
    return json.dumps(positions.upgrade(json.loads(raw)), separators=(",", ":"))


async def _migrate_offer(store: AreaStore, key: Any) -> int:
    """Rewrite one offer record, keeping its TTL; 1 if rewritten."""
    async with store.redis.pipeline(transaction=True) as pipe:
        try:
            await pipe.watch(key)
            raw, ttl_ms = await pipe.get(key), await pipe.pttl(key)
            if raw is None:  # expired meanwhile
                await pipe.unwatch()
                return 0
            record = json.loads(raw)
            new = offer_records.upgrade(record)
            if new is record:
                await pipe.unwatch()
                return 0
            pipe.multi()
            pipe.set(key, json.dumps(new), px=ttl_ms if ttl_ms > 0 else None)
            await pipe.execute()
        except WatchError:  # it changed (booked) meanwhile: the reader upgrades it itself
            return 0
    return 1


def _pending(result: Any) -> Awaitable[Any]:
    """redis-py types its commands as sync-or-async; on the asyncio client they are awaitable."""
    return cast(Awaitable[Any], result)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
