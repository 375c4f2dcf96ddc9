"""Bearer tokens and the four roles: operator (staff), rider, driver, shipper.

Staff are named accounts with a staff role (admin, dispatcher, viewer; ``api.staff``); the
operator token of the settings bootstraps the first admin. Riders, drivers and staff get a
random token when created. Only a SHA-256 of each token is stored (in Redis): the tokens are 256
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
    SHIPPER = "shipper"  # a shop, the post office, a farm: hands in parcels (貨客混載)


class StaffRole(StrEnum):
    """What a staff member may do: an admin everything, a dispatcher the daily work (not
    managing staff), a viewer only read."""

    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    VIEWER = "viewer"


BOOTSTRAP_ADMIN_ID = "bootstrap"  # the staff id of the settings' operator token


@dataclass(frozen=True, slots=True)
class Principal:
    """An authenticated caller: a role and the rider, vehicle or staff id; staff also carry
    their staff role."""

    role: Role
    subject_id: str | None = None
    staff_role: StaffRole | None = None

    @property
    def is_operator(self) -> bool:
        """Whether this caller is staff (of any staff role: reading is allowed to all)."""
        return self.role is Role.OPERATOR

    @property
    def may_act(self) -> bool:
        """Whether this staff member may do the daily work (book, cancel, close roads...)."""
        return self.is_operator and self.staff_role in (StaffRole.ADMIN, StaffRole.DISPATCHER)

    @property
    def is_admin(self) -> bool:
        return self.is_operator and self.staff_role is StaffRole.ADMIN

    def is_rider(self, rider_id: str) -> bool:
        """Whether this caller is the rider ``rider_id``."""
        return self.role is Role.RIDER and self.subject_id == rider_id

    def ships(self, shipper_id: str) -> bool:
        """Whether this caller is the shipper ``shipper_id``."""
        return self.role is Role.SHIPPER and self.subject_id == shipper_id

    def drives(self, vehicle_id: str) -> bool:
        """Whether this caller is the driver of ``vehicle_id``."""
        return self.role is Role.DRIVER and self.subject_id == vehicle_id


OPERATOR = Principal(Role.OPERATOR, BOOTSTRAP_ADMIN_ID, StaffRole.ADMIN)


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
