"""The stored form of an offer (``maas:{area}:offer:{id}``, kept until the offer expires).

Schema ``maas.offer`` version 2 (JSON): the offer's terms as the API quoted them (rider,
day, fare, asked times, meeting points: plain JSON fields set by ``api.routers.offers``)
and ``offer``, the ``solver.dispatch.Offer`` in the codec's JSON form. Records without
``schema`` are version 1: layout 2's codec form (``module:Class`` tags), read by rewriting
it (``api.codec_v2``); the layout migration (``api.migrations``) rewrites them in Redis.
"""

from __future__ import annotations

from typing import Any

from api import codec, codec_v2
from solver.dispatch import Offer

OFFER_SCHEMA = "maas.offer"
OFFER_VERSION = 2


def offer_record(offer: Offer, terms: dict[str, Any]) -> dict[str, Any]:
    """The record to store for ``offer`` with the API's ``terms``."""
    return {"schema": OFFER_SCHEMA, "version": OFFER_VERSION, **terms,
            "offer": codec.to_jsonable(offer)}


def upgrade(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` at the current version (the same dict if it is)."""
    version = record.get("version", 1) if record.get("schema", OFFER_SCHEMA) == OFFER_SCHEMA \
        else None
    if version == OFFER_VERSION:
        return record
    if version != 1:
        msg = (f"offer record of schema {record.get('schema')!r} version "
               f"{record.get('version')!r}; this service reads {OFFER_SCHEMA} 1-{OFFER_VERSION}")
        raise codec.CodecError(msg)
    return {**record, "schema": OFFER_SCHEMA, "version": OFFER_VERSION,
            "offer": codec_v2.upgrade_tree(record["offer"])}


def offer_of(record: dict[str, Any]) -> Offer:
    """The offer of a stored record (of any version this service reads)."""
    offer = codec.from_jsonable(upgrade(record)["offer"])
    if not isinstance(offer, Offer):
        msg = f"offer record holds a {type(offer).__name__}, not an Offer"
        raise codec.CodecError(msg)
    return offer
