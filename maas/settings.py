"""Process-wide settings read from the environment (``MAAS_*``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class MaasSettings(BaseSettings):
    """Where reference data and caches live."""

    model_config = SettingsConfigDict(env_prefix="MAAS_", extra="ignore")

    data_dir: Path = Path("../shared/data")
    cache_dir: Path = Path.home() / ".cache" / "maas"


@lru_cache(maxsize=1)
def settings() -> MaasSettings:
    """The settings of this process (read once)."""
    return MaasSettings()
