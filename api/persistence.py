"""Whether a Redis keeps confirmed bookings through a crash (see docs/operations.md)."""

from __future__ import annotations

from collections.abc import Mapping


def persistence_warning(config: Mapping[str, str]) -> str | None:
    """A warning when the Redis settings can lose confirmed bookings, else None.

    ``config`` holds Redis's ``appendonly``, ``appendfsync`` and ``save`` settings.
    """
    if config.get("appendonly", "no") != "yes":
        if not config.get("save"):
            return ("Redis persistence is OFF (no AOF, no RDB snapshots): a Redis restart "
                    "loses every booking. Set appendonly yes (docs/operations.md).")
        return ("Redis runs without AOF (appendonly no): a crash loses the bookings confirmed "
                "since the last RDB snapshot. Set appendonly yes (docs/operations.md).")
    if config.get("appendfsync") == "no":
        return ("Redis AOF is on but appendfsync is 'no': a power loss can drop the last "
                "seconds of bookings. Use everysec or always (docs/operations.md).")
    return None
