"""Bearer tokens and the three roles: operator, rider, driver.

The operator's token comes from the settings; riders and drivers get a random token when the
operator creates them. Only a SHA-256 of each token is stored (in Redis): the tokens are 256
random bits, so a fast hash is enough (no password stretching needed) and a leaked Redis dump
does not let anyone in.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """Who is calling."""

    OPERATOR = "operator"
    RIDER = "rider"
    DRIVER = "driver"


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a role and, for riders and drivers, the rider or vehicle id."""

    role: Role
    subject_id: str | None = None

    @property
    def is_operator(self) -> bool:
        return self.role is Role.OPERATOR

    def is_rider(self, rider_id: str) -> bool:
        """Whether this caller is the rider ``rider_id``."""
        return self.role is Role.RIDER and self.subject_id == rider_id

    def drives(self, vehicle_id: str) -> bool:
        """Whether this caller is the driver of ``vehicle_id``."""
        return self.role is Role.DRIVER and self.subject_id == vehicle_id


OPERATOR = Principal(Role.OPERATOR)


def new_token() -> str:
    """A fresh random bearer token (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """The stored form of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def same_token(token: str, expected: str) -> bool:
    """Constant-time comparison of a presented token with a known one."""
    return hmac.compare_digest(hash_token(token), hash_token(expected))


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header, or None."""
    if not authorization:
        return None
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return None
    return token
