"""Layout 2 -> 3 (``api.migrations``): data the layout-2 codec wrote (``module:Class`` tags,
frozen in fixtures/state_v2.json) still reads back equal, and an area at layout 2 is
migrated in Redis when a service opens it."""

from __future__ import annotations

import asyncio
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from redis.asyncio import Redis

from api import codec, codec_v2, migrations, offer_records, positions
from api.store import SCHEMA_VERSION, AreaError, AreaStore
from tests.api.conftest import redis_url
from tests.api.stored_sample import HOME, sample_offer, sample_state

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "state_v2.json").read_text())
DAY = date(2026, 12, 8)


def test_a_layout_2_state_migrates_and_reads_back_equal() -> None:
    """Root and parts written by the old codec, rewritten to tags, decode to the state they
    were written from; the self-contained form too; rewriting twice changes nothing."""
    stored = FIXTURE["state"]
    assert "solver.dispatch.state:Booking" in "".join(stored["parts"].values())
    state = migrations.migrate_state(stored["root"], stored["parts"])
    assert state == sample_state()
    assert codec.loads(codec_v2.upgrade_text(FIXTURE["dumps"])) == sample_state()
    once = codec_v2.upgrade_text(FIXTURE["dumps"])
    assert codec_v2.upgrade_text(once) == once


def test_the_old_form_alone_is_refused_by_the_codec() -> None:
    """Without the migration the codec reads no layout-2 text (it imports nothing)."""
    with pytest.raises(codec.CodecError, match="layout-2 class name"):
        codec.loads(FIXTURE["dumps"])


def test_old_offer_and_position_records_read() -> None:
    """An offer record without a version and a position record v1 read as their objects."""
    record = {"rider_id": "r1", "offer": FIXTURE["offer"]}
    assert offer_records.offer_of(record) == sample_offer()
    assert positions.parse_record(FIXTURE["position"]) == (HOME, 29_600)
    assert json.loads(FIXTURE["position"])["version"] == 1


def test_an_unknown_legacy_name_is_a_clear_error() -> None:
    """A name layout 2 never wrote is not guessed at."""
    with pytest.raises(codec.CodecError, match=r"unknown stored type 'maas\.domain:Gondola'"):
        codec_v2.upgrade_text('{"__t": "maas.domain:Gondola"}')


def _seed_v2(client: Redis, area: str) -> None:
    """Write an area as layout 2 left it: meta, an open day with its state, a van's position
    and a live offer."""
    p = f"maas:{{{area}}}:"

    async def run() -> None:
        await client.hset(p + "meta", mapping={"schema": "2", "timezone": "Asia/Tokyo",
                                               "training": "1"})
        await client.hset(p + "days", DAY.isoformat(), json.dumps({"status": "open"}))
        d = f"{p}day:{DAY.isoformat()}:"
        await client.set(d + "epoch", "e1")
        await client.set(d + "version", 5)
        await client.set(d + "state", FIXTURE["state"]["root"])
        await client.hset(d + "parts", mapping=FIXTURE["state"]["parts"])
        await client.hset(d + "positions", "v1", FIXTURE["position"])
        await client.set(d + "positions-version", 1)
        await client.set(p + "offer:o_1", json.dumps({"rider_id": "r1", "day": DAY.isoformat(),
                                                       "offer": FIXTURE["offer"]}), px=60_000)

    asyncio.run(run())


def test_an_area_at_layout_2_migrates_when_opened(redisdb: Any, redis_proc: Any) -> None:
    """Opening a layout-2 area rewrites its day state, parts, positions and offers to tags,
    bumps the day's version and the area's layout; the state reads back as it was."""
    url = redis_url(redis_proc)
    _seed_v2(Redis.from_url(url), "old")

    async def run() -> None:
        client = Redis.from_url(url)
        store = AreaStore(client, "old")
        await store.open_area("Asia/Tokyo", True)
        assert (await client.hget(store.keys.meta, "schema")).decode() == SCHEMA_VERSION == "3"
        day = store.keys.day(DAY)
        assert int(await client.get(day.version)) == 6
        texts = [await client.get(day.state), *(await client.hgetall(day.parts)).values(),
                 *(await client.hgetall(day.positions)).values(),
                 await client.get(store.keys.offer("o_1"))]
        assert all(b"maas.domain:" not in t and b"solver.dispatch" not in t for t in texts)
        assert 0 < await client.pttl(store.keys.offer("o_1")) <= 60_000
        expected = positions.merge(sample_state(), {"v1": (HOME, 29_600)})
        assert await store.day(DAY).state() == expected
        offer = json.loads(await client.get(store.keys.offer("o_1")))
        assert offer["version"] == 2 and offer_records.offer_of(offer) == sample_offer()
        await store.open_area("Asia/Tokyo", True)  # at layout 3: nothing to do
        assert int(await client.get(day.version)) == 6
        await client.aclose()

    asyncio.run(run())


def test_another_layout_is_still_refused(redisdb: Any, redis_proc: Any) -> None:
    """An area at a layout with no migration here (1, or a newer one) is not touched."""

    async def run() -> None:
        client = Redis.from_url(redis_url(redis_proc))
        store = AreaStore(client, "older")
        await client.hset(store.keys.meta, "schema", "1")
        with pytest.raises(AreaError, match="key layout '1'"):
            await store.open_area("Asia/Tokyo", True)
        await client.aclose()

    asyncio.run(run())

