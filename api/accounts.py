"""Creating an account (a driver, a staff member) once per ``Idempotency-Key``.

A retried call whose answer was lost gets the same account and the same token: the key is
claimed with the new account's id, a nonce the token is derived from (``api.tokens``: never
stored) and a digest of the body; a later call with that key finds the claim and answers
from it. A key reused with another body is a conflict; a claim whose account is not written
yet (the first call still running, or it failed without releasing) asks for a retry. A
failed creation releases the key, so a retry starts afresh.
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from api.auth import Principal
from api.errors import conflict
from api.settings import Settings
from api.store import AreaStore
from api.tokens import body_digest, claim, derived_token, idem_key, release, token_secret

Record = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Created:
    """The account's record and its token; ``replayed``: an earlier call made them."""

    record: Record
    token: str
    replayed: bool


async def create_once(store: AreaStore, settings: Settings, caller: Principal, kind: str,
                      idempotency_key: str | None, body: Mapping[str, Any], account_id: str,
                      find: Callable[[str], Awaitable[Record | None]],
                      make: Callable[[str, str], Awaitable[Record]]) -> Created:
    """The account ``make(account_id, token)`` writes (and returns), or, for a key already
    claimed by this caller for ``kind``, the one an earlier call made (``find(id)``)."""
    mine = {"id": account_id, "nonce": secrets.token_hex(16), "body": body_digest(dict(body))}
    key = None
    if idempotency_key is not None:
        key = idem_key(store, caller, kind, idempotency_key)
        earlier = await claim(store, key, mine, settings.idempotency_ttl_seconds * 1000)
        if earlier is not None:
            if earlier["body"] != mine["body"]:
                raise conflict("idempotency_key_reused",
                               f"this Idempotency-Key was used for another {kind} account")
            record = await find(earlier["id"])
            if record is None:
                raise conflict("in_progress", "the first call with this Idempotency-Key has "
                               "not finished (or its account was deleted); retry shortly")
            return Created(record, derived_token(token_secret(settings), earlier["nonce"]),
                           replayed=True)
    token = derived_token(token_secret(settings), mine["nonce"])
    try:
        record = await make(account_id, token)
    except BaseException:
        if key is not None:
            await release(store, key)
        raise
    return Created(record, token, replayed=False)
