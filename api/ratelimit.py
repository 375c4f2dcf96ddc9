"""Request rate limits per bearer token and per client IP, kept in Redis so that every
worker of an area counts the same requests.

A fixed window of ``WINDOW_S`` seconds per caller: the first request of a window creates
the counter ``maas:{area}:rate:{who}`` with the window as its expiry, each request adds one
(INCR, PEXPIRE NX and PTTL in one round trip), and a request over the window's budget gets
429 with ``Retry-After`` set to the window's remaining seconds. Short windows keep a burst
small: a per-minute limit of 240 allows 40 requests in any 10-second window.
"""

from __future__ import annotations

import math

from redis.asyncio import Redis

from api.errors import too_many
from api.metrics import RATE_LIMITED
from api.store import AreaKeys

WINDOW_S = 10


def budget(per_minute: int) -> int:
    """Requests allowed in one window for a per-minute limit (at least one)."""
    return max(1, math.ceil(per_minute * WINDOW_S / 60))


async def check(redis: Redis, keys: AreaKeys, who: str, per_minute: int) -> None:
    """Count one request of ``who``; 429 if it is over ``per_minute`` (0: no limit)."""
    if per_minute <= 0:
        return
    key = f"{keys.prefix}rate:{who}"
    async with redis.pipeline(transaction=False) as pipe:
        pipe.incr(key)
        pipe.pexpire(key, WINDOW_S * 1000, nx=True)
        pipe.pttl(key)
        count, _, ttl_ms = await pipe.execute()
    if int(count) > budget(per_minute):
        RATE_LIMITED.labels(who.partition(":")[0]).inc()
        wait = max(1, math.ceil(max(int(ttl_ms), 0) / 1000))
        raise too_many(f"more than {budget(per_minute)} requests in {WINDOW_S} s from this "
                       f"caller ({per_minute} a minute); retry in {wait} s", wait)
