"""Request and response bodies of staff accounts, tokens and the audit log."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import Header
from pydantic import BaseModel, Field

from api.auth import StaffRole
from api.schemas import Id, Name, Strict

# Up to a year; without it a token lasts until it is revoked or rotated.
ExpiresIn = Annotated[int, Field(ge=60, le=366 * 24 * 3600)]

OptionalIdempotencyKey = Annotated[
    str | None, Header(alias="Idempotency-Key", min_length=1, max_length=200,
                       pattern=r"^[\x21-\x7e]+$",
                       description="retrying with the same key returns the same result")]


class StaffCreate(Strict):
    """A named staff member and their role."""

    name: Name
    role: StaffRole
    expires_in_seconds: ExpiresIn | None = None


class StaffUpdate(Strict):
    """What an admin changes on a staff account (at least one field)."""

    name: Name | None = None
    role: StaffRole | None = None
    active: bool | None = None


class StaffPublic(BaseModel):
    """A staff account (``active`` false: kept, but its tokens get 401)."""

    id: str
    name: str
    role: StaffRole
    active: bool = True
    created_at: str
    created_by: str
    updated_at: str | None = None
    updated_by: str | None = None


class StaffCreated(StaffPublic):
    """A new staff account with its bearer token (shown once; only its hash is stored)."""

    token: str
    token_expires_at: str | None


class StaffList(BaseModel):
    staff: list[StaffPublic]


AccountKind = Literal["staff", "rider", "driver", "shipper"]


class TokenIssue(Strict):
    """A new token for an account (staff accounts: admins only)."""

    kind: AccountKind
    id: Id
    expires_in_seconds: ExpiresIn | None = None


class TokenRotate(Strict):
    """Replace the presented token by a new one for the same account."""

    expires_in_seconds: ExpiresIn | None = None


class TokenIssued(BaseModel):
    """A token (shown once) and the account it belongs to."""

    token: str
    kind: AccountKind
    id: str
    expires_at: str | None


class TokenRevoke(Strict):
    """What to revoke: one token, or every token of an account (``kind`` and ``id``);
    neither: the presented token itself."""

    token: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    kind: AccountKind | None = None
    id: Id | None = None


class TokensRevoked(BaseModel):
    revoked: int
