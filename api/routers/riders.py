"""``/v1/riders``: residents the operator registers (each gets a bearer token), found again
by name or phone when they call, corrected, and erased on request.

Erasure (``DELETE``) removes the rider's personal data from the live records and revokes
their tokens; their bookings stay (they name the rider by id only), and with a trip history
configured (``MAAS_HISTORY_URL``) its personal data is erased there too, the rides kept.
"""

from __future__ import annotations

import asyncio
import secrets
import unicodedata
from typing import Annotated, Any

from fastapi import APIRouter, Query

from api.auth import Role, hash_token, new_token
from api.deps import Caller, Operator, RuntimeDep, Staff
from api.errors import conflict, forbidden, not_found
from api.runtime import Runtime
from api.schemas import RiderCreate, RiderCreated, RiderList, RiderPublic, RiderUpdate
from api.schemas_people import OptionalIdempotencyKey
from api.tokens import (
    body_digest,
    claim,
    derived_token,
    idem_key,
    release,
    token_record,
    token_secret,
)

router = APIRouter(prefix="/v1/riders", tags=["riders"])

PERSONAL = ("name", "name_kana", "phone", "notes", "home", "contact_name", "contact_phone")
CARE_FLAGS = ("lives_alone", "needs_help")  # care data about a person: erased with them


@router.post("", status_code=201, response_model=RiderCreated)
async def create_rider(body: RiderCreate, caller: Operator, rt: RuntimeDep,
                       idempotency_key: OptionalIdempotencyKey = None) -> RiderCreated:
    """Register a rider (operator only); the token is shown once, only its hash is kept.
    With an ``Idempotency-Key`` a retried call returns the same rider and token."""
    mine = {"id": "r_" + secrets.token_hex(8), "nonce": secrets.token_hex(16),
            "body": body_digest(body.model_dump(mode="json"))}
    key = None
    if idempotency_key is not None:
        key = idem_key(rt.store, caller, "rider", idempotency_key)
        earlier = await claim(rt.store, key, mine, rt.settings.idempotency_ttl_seconds * 1000)
        if earlier is not None:
            if earlier["body"] != mine["body"]:
                raise conflict("idempotency_key_reused",
                               "this Idempotency-Key was used for another rider")
            record = await rt.store.record(rt.store.keys.riders, earlier["id"])
            if record is None:
                raise conflict("in_progress", "the first call with this Idempotency-Key has "
                               "not finished; retry shortly")
            return RiderCreated(**RiderPublic.model_validate(record).model_dump(),
                                token=derived_token(token_secret(rt.settings), earlier["nonce"]))
    rider = RiderPublic(id=mine["id"], **body.model_dump())
    token = new_token() if key is None else derived_token(token_secret(rt.settings),
                                                          mine["nonce"])
    try:
        await rt.store.add_with_token(
            rt.store.keys.riders, rider.id, rider.model_dump(), hash_token(token),
            token_record(Role.RIDER, rider.id, rt.clock.now()),
        )
    except BaseException:
        if key is not None:
            await release(rt.store, key)
        raise
    return RiderCreated(**rider.model_dump(), token=token)


def _folded(text: str) -> str:
    """Text for matching: width- and case-folded (全角 and half-width alike), no spaces."""
    return unicodedata.normalize("NFKC", text).casefold().replace(" ", "").replace("\u3000", "")


def _digits(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKC", text) if c.isdigit())


def matches(record: dict[str, Any], query: str) -> bool:
    """Whether a rider record matches a clerk's search: part of the name (or its kana), or
    at least four digits of the phone number in any format."""
    q = _folded(query)
    names = [record.get("name") or "", record.get("name_kana") or ""]
    if q and any(q in _folded(n) for n in names):
        return True
    digits = _digits(query)
    return len(digits) >= 4 and digits in _digits(record.get("phone") or "")


@router.get("", response_model=RiderList)
async def find_riders(
    _: Staff, rt: RuntimeDep,
    query: Annotated[str, Query(min_length=1, max_length=100,
                                description="part of the name or kana, or of the phone")],
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> RiderList:
    """Riders whose name, kana or phone matches ``query`` (operator only), by name."""
    found = [RiderPublic.model_validate(r)
             for r in (await rt.store.records(rt.store.keys.riders)).values()
             if not r.get("erased") and matches(r, query)]
    found.sort(key=lambda r: (r.name or "", r.id))
    return RiderList(riders=found[:limit])


@router.get("/me", response_model=RiderPublic)
async def my_record(caller: Caller, rt: RuntimeDep) -> RiderPublic:
    """The calling rider's own record."""
    if caller.role is not Role.RIDER or caller.subject_id is None:
        raise forbidden("only a rider has a rider record")
    return await _rider(rt, caller.subject_id)


async def _rider(rt: Runtime, rider_id: str) -> RiderPublic:
    record = await rt.store.record(rt.store.keys.riders, rider_id)
    if record is None:
        raise not_found(f"rider {rider_id!r}")
    return RiderPublic.model_validate(record)


@router.get("/{rider_id}", response_model=RiderPublic)
async def get_rider(rider_id: str, caller: Caller, rt: RuntimeDep) -> RiderPublic:
    """A rider (the operator, or the rider themselves; 404 for anyone else)."""
    if not (caller.is_operator or caller.is_rider(rider_id)):
        raise not_found(f"rider {rider_id!r}")
    return await _rider(rt, rider_id)


@router.patch("/{rider_id}", response_model=RiderPublic)
async def update_rider(rider_id: str, body: RiderUpdate, _: Operator, rt: RuntimeDep
                       ) -> RiderPublic:
    """Correct a rider's data (operator only); absent fields stay as they are."""
    rider = await _rider(rt, rider_id)
    if rider.erased:
        raise conflict("rider_erased", "this rider's data was erased; register them again")
    updated = rider.model_copy(update=body.model_dump(exclude_unset=True))
    await rt.store.hset(rt.store.keys.riders, rider_id, updated.model_dump_json())
    return updated


@router.delete("/{rider_id}", response_model=RiderPublic)
async def erase_rider(rider_id: str, _: Operator, rt: RuntimeDep) -> RiderPublic:
    """Erase a rider's personal data (operator only): name, kana, phone, notes, home, contact
    person and care flags go, the tokens are revoked, the rides stay under the id. 409 while
    a ride of theirs is open."""
    rider = await _rider(rt, rider_id)
    for day in await rt.days.open_days():
        state = await rt.days.context(day).store.state()
        open_ids = [b.id for b in state.bookings.values() if b.rider_id == rider_id and b.active]
        if open_ids:
            raise conflict("rider_has_open_rides", f"rider {rider_id} has open rides on {day}: "
                           "cancel them first", booking_ids=open_ids)
    erased = rider.model_copy(update={**dict.fromkeys(PERSONAL), **dict.fromkeys(CARE_FLAGS, False),
                                      "erased": True})
    await rt.store.hset(rt.store.keys.riders, rider_id, erased.model_dump_json())
    for token_hash, principal in (await rt.store.records(rt.store.keys.tokens)).items():
        if principal.get("role") == Role.RIDER.value and principal.get("id") == rider_id:
            await rt.store.hdel(rt.store.keys.tokens, token_hash)
    for sid, record in (await rt.store.records(rt.store.keys.standing)).items():
        if record.get("rider_id") == rider_id:
            await rt.store.hdel(rt.store.keys.standing, sid)
    if rt.archive.history_url:
        await asyncio.to_thread(_erase_in_history, rt.archive.history_url, rider_id)
    return erased


def _erase_in_history(url: str, rider_id: str) -> None:
    from maas.history import HistoryStore

    with HistoryStore(url) as history:
        history.migrate()
        history.erase_rider(rider_id)


