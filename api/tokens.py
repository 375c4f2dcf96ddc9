"""Bearer tokens in Redis: one record per token hash, with expiry, revocation and rotation.

    maas:{area}:tokens   hash sha256(token) -> token record (JSON)

Token record schema, version 1 (``"v": 1``)::

    {"v": 1, "role": "operator" | "rider" | "driver", "id": "<staff, rider or vehicle id>",
     "issued_at": "<ISO 8601>", "expires_at": "<ISO 8601>" | null}

Records without ``"v"`` (version 0: only ``role`` and ``id``, written before expiry
existed) are read as never expiring. A staff token's staff role is not in the record: it is
read from the staff account on every request (``api.staff``), so deleting an account or
changing its role takes effect at once.

Nothing here is cached in the process: every request reads its token's record from Redis,
so a revoked token (its field deleted) gets 401 on every worker at once. Expiry follows the
service's clock (the training clock on a training service).

Tokens created by an idempotent call (``Idempotency-Key``) are derived, not stored: the
token is an HMAC of a random nonce under the operator token of the settings (never kept in
Redis), so a retried call can answer with the same token while Redis still holds only its
hash and the nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import datetime, timedelta
from typing import Any

from api.auth import Principal, Role, hash_token
from api.settings import Settings
from api.store import AreaStore, _pending, _text

TOKEN_RECORD_VERSION = 1


def token_record(role: Role, subject_id: str, now: datetime,
                 expires_in: timedelta | None = None) -> dict[str, Any]:
    """A version-1 token record."""
    return {"v": TOKEN_RECORD_VERSION, "role": role.value, "id": subject_id,
            "issued_at": now.isoformat(),
            "expires_at": None if expires_in is None else (now + expires_in).isoformat()}


def expired(record: dict[str, Any], now: datetime) -> bool:
    """Whether a token record has expired at ``now`` (version 0 records never do)."""
    expires = record.get("expires_at")
    return expires is not None and datetime.fromisoformat(expires) <= now


def token_secret(settings: Settings) -> str:
    """The key of derived tokens: the settings' operator token (never stored in Redis)."""
    token = settings.operator_token
    assert token is not None  # create_app refuses to start without one
    return token.get_secret_value()


def derived_token(secret: str, nonce: str) -> str:
    """The token an idempotent call hands out for ``nonce`` (same nonce, same token)."""
    digest = hmac.new(secret.encode(), b"maas-token:" + nonce.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


async def store_token(store: AreaStore, token: str, record: dict[str, Any]) -> None:
    """Keep the hash of ``token`` with its record."""
    await store.hset(store.keys.tokens, hash_token(token), json.dumps(record))


async def lookup(store: AreaStore, token: str) -> dict[str, Any] | None:
    """The record of a presented token, if it is known."""
    return await store.principal(hash_token(token))


async def revoke_token(store: AreaStore, token: str) -> bool:
    """Revoke one token; whether it was known."""
    return bool(await _pending(store.redis.hdel(store.keys.tokens, hash_token(token))))


async def tokens_of(store: AreaStore, role: Role, subject_id: str) -> list[str]:
    """The hashes of every token of one account (a scan: tokens are few per town)."""
    found: list[str] = []
    async for key, raw in store.redis.hscan_iter(store.keys.tokens):
        record = json.loads(raw)
        if record.get("role") == role.value and record.get("id") == subject_id:
            found.append(_text(key) or "")
    return found


async def revoke_account(store: AreaStore, role: Role, subject_id: str) -> int:
    """Revoke every token of one account; how many there were."""
    hashes = await tokens_of(store, role, subject_id)
    if hashes:
        await _pending(store.redis.hdel(store.keys.tokens, *hashes))
    return len(hashes)


def subject_of(principal: Principal) -> tuple[Role, str]:
    """The account a principal's token belongs to."""
    return principal.role, principal.subject_id or ""


def idem_key(store: AreaStore, caller: Principal, call: str, key: str) -> str:
    """The Redis key of one caller's Idempotency-Key for one kind of token-creating call."""
    return f"{store.keys.prefix}idem:{caller.role.value}:{caller.subject_id}:{call}:{key}"


def body_digest(body: dict[str, Any]) -> str:
    """What identifies a request body (a key reused with another body is refused)."""
    return hashlib.sha256(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()


async def claim(store: AreaStore, key: str, record: dict[str, Any],
                ttl_ms: int) -> dict[str, Any] | None:
    """Reserve an idempotency key with ``record`` (``id``, ``nonce``, ``body``): None when
    this call is the first, else the record an earlier call stored."""
    if await store.redis.set(key, json.dumps(record), nx=True, px=max(ttl_ms, 1)):
        return None
    raw = await store.redis.get(key)
    return None if raw is None else json.loads(raw)


async def release(store: AreaStore, key: str) -> None:
    """Give a reserved key back (the call failed: a retry starts afresh)."""
    await store.redis.delete(key)
