"""The dispatch service's settings: one ``Settings`` read from ``MAAS_*`` environment variables."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from maas.errors import MaasError

AREA_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")


class SettingsError(MaasError):
    """Settings under which the service must not start."""

    code = "settings_error"


class Settings(BaseSettings):
    """Everything a ``maas serve`` process needs; nothing here is state (that lives in Redis)."""

    model_config = SettingsConfigDict(env_prefix="MAAS_", extra="ignore")

    operator_token: SecretStr | None = None
    redis_url: str | None = None
    area: str = "demo"
    demo: bool = False
    network: str = "demo"
    polygon: Path | None = None
    timezone: str = "Asia/Tokyo"
    max_body_bytes: int = Field(default=64 * 1024, gt=0)
    max_passengers: int = Field(default=8, gt=0)
    offer_ttl_seconds: int = Field(default=120, gt=0)
    idempotency_ttl_seconds: int = Field(default=24 * 3600, gt=0)
    events_maxlen: int = Field(default=10_000, gt=0)
    # The service file (calendar, hours, booking rules, policy, fares, fleet roster); without
    # one, a plain service runs every day in ``operating_hours`` with no vans of its own
    # (they are added with POST /v1/vehicles). ``maas serve --demo`` runs the demo town's.
    service: Path | None = None
    operating_hours: str = Field(default="07:00-19:00", pattern=r"^\d\d:\d\d-\d\d:\d\d$")
    # A training service runs on a clock the operator sets (PUT /v1/clock), starting at
    # ``clock_start`` (default: the wall clock when the area is first opened).
    training: bool = False
    clock_start: datetime | None = None
    # Closed days are written here (one JSON file per day) and, with a URL, into the history.
    archive_dir: Path = Path("maas-archive")
    history_url: str | None = None
    # Seconds between ticks (re-timing, re-optimisation, lifting closures); 0 turns them off.
    tick_seconds: float = Field(default=30.0, ge=0)
    # Niceness of the ticks' helper process (re-timing, re-optimisation, lifting closures)
    # above the API process: a little below requests. At 10 (before) it had a tenth of a
    # busy worker's CPU share, so other load on the machine could hold rounds back (a soak
    # counted no round at load 4-6; docs/benchmarks.md, issue 13). Its solver time is
    # bounded anyway by the policy's time limit per round.
    tick_nice: int = Field(default=2, ge=0, le=19)
    # Redis: no call may wait longer than these (seconds), so a hung or unreachable Redis
    # answers 503 with Retry-After instead of holding a request (and a day's write lock).
    redis_socket_timeout: float = Field(default=1.0, gt=0)
    redis_connect_timeout: float = Field(default=1.0, gt=0)
    redis_health_check_seconds: int = Field(default=30, ge=0)
    # How long a starting worker waits for Redis to answer before it gives up.
    startup_wait_seconds: float = Field(default=120.0, gt=0)
    # The longest a state-changing request waits for its day's write (lock and retries).
    write_wait_seconds: float = Field(default=5.0, gt=0)
    # What a 503 (Redis away, too busy) and a 429 tell the client to wait before retrying.
    retry_after_seconds: int = Field(default=2, gt=0)
    # Requests per minute per bearer token (rider, driver; the operator is exempt) and per
    # client IP, counted in Redis so every worker shares them; 0 turns a limit off.
    rate_limit_per_minute: int = Field(default=240, ge=0)
    rate_limit_ip_per_minute: int = Field(default=0, ge=0)

    @field_validator("area")
    @classmethod
    def _area_is_a_key_part(cls, value: str) -> str:
        if not AREA_PATTERN.match(value):
            msg = f"MAAS_AREA {value!r} must be lower-case letters, digits, '-' or '_'"
            raise ValueError(msg)
        return value

    def hours_seconds(self) -> tuple[int, int]:
        """``operating_hours`` as service-day seconds ``(start, end)``."""
        start, end = (int(h) * 3600 + int(m) * 60
                      for h, m in (part.split(":") for part in self.operating_hours.split("-")))
        if end <= start:
            msg = f"MAAS_OPERATING_HOURS {self.operating_hours!r} ends before it starts"
            raise SettingsError(msg)
        return start, end

    def check_startable(self) -> None:
        """Refuse to start without an operator token or a Redis URL, except in demo mode."""
        if self.demo:
            return
        if self.operator_token is None or not self.operator_token.get_secret_value():
            msg = "MAAS_OPERATOR_TOKEN is not set: the service refuses to start without one"
            raise SettingsError(msg)
        if not self.redis_url:
            msg = "MAAS_REDIS_URL is not set: only `maas serve --demo` runs without Redis"
            raise SettingsError(msg)
