"""GTFS-Flex ``safe_duration_factor`` / ``safe_duration_offset``: how long a ride may take.

A journey planner bounds an on-demand ride by ``factor x driving time + offset`` (offset in
minutes). From the policy the bound is the ride-time rule itself (``a + b x direct``: the
engine promises it). From the history it is fitted: least squares of ride on direct time,
then the offset raised until ``share`` (95 %) of measured rides fit under the bound.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np

from maas.errors import InvalidInput
from maas.history.day import DayRecord
from maas.service.policy import PolicySpec

MIN_RIDES: Final = 20


@dataclass(frozen=True, slots=True)
class DurationFit:
    """``factor x direct + offset_min`` minutes, where it came from, over how many rides,
    and the share of measured rides the bound covers (None for the policy rule)."""

    factor: float
    offset_min: float
    source: Literal["policy", "history"]
    rides: int = 0
    covered_share: float | None = None


def from_policy(policy: PolicySpec) -> DurationFit:
    """The promise: maximum ride = a + b x direct."""
    return DurationFit(round(policy.ride_time_b, 3), round(policy.ride_time_a_s / 60, 2),
                       "policy")


def from_history(days: Iterable[DayRecord], share: float = 0.95) -> DurationFit:
    """Fit from completed rides with a direct time; ``InvalidInput`` below 20 rides."""
    pairs = [((b.dropped_off_at - b.picked_up_at).total_seconds() / 60, b.direct_s / 60)
             for d in days for b in d.bookings
             if b.status == "completed" and b.picked_up_at and b.dropped_off_at
             and b.direct_s]
    if len(pairs) < MIN_RIDES:
        msg = (f"history: {len(pairs)} completed rides with a direct time; at least "
               f"{MIN_RIDES} are needed to fit ride times (or fit from the policy)")
        raise InvalidInput(msg)
    ride, direct = (np.array(v) for v in zip(*pairs, strict=True))
    # One direct time only (a single trip pattern): no slope to fit, the bound is an offset.
    factor = float(np.polyfit(direct, ride, 1)[0]) if np.ptp(direct) > 0.5 else 1.0
    factor = round(max(factor, 1.0), 3)  # a ride never beats the direct drive
    # Rounded up, so that the written numbers still cover the share.
    offset = math.ceil(max(float(np.quantile(ride - factor * direct, share)), 0.0) * 100) / 100
    covered = float(np.mean(ride <= factor * direct + offset + 1e-9))
    return DurationFit(factor, offset, "history", len(pairs), round(covered, 4))
