"""Planning with a safety margin on travel times, so that a van a little slower than the road
model (traffic, snow, a slow driver) still keeps its promises."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from maas.domain import Location
from maas.travel import TravelTimeSource


class PaddedTravel:
    """``travel`` with every duration stretched by ``1 + margin`` (rounded up); distances and
    closures pass through unchanged. A plan feasible on padded times stays feasible when the
    real drive is faster: the van just waits."""

    def __init__(self, travel: TravelTimeSource, margin: float) -> None:
        self.inner = travel
        self.factor = 1.0 + margin

    @property
    def version(self) -> int:
        """The inner source's version (closures and winter bump it)."""
        return self.inner.version

    def durations(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        """Padded travel seconds."""
        raw = self.inner.durations(origins, destinations)
        return np.ceil(raw * self.factor - 1e-9).astype(np.int64)

    def distances(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        """Metres, as the inner source gives them."""
        return self.inner.distances(origins, destinations)

    def apply_closures(self, closures: Sequence[Any]) -> Any:
        """Forward the active closure set to the inner source, if it has closures."""
        apply = getattr(self.inner, "apply_closures", None)
        return apply(closures) if apply is not None else None


# Drivers leave this many deviations of the road noise of a leg before the plan's time, and
# wait at the next stop if they must: a slow road then less often breaks a promise.
EARLY_DEPARTURE_DEVIATIONS = 2.0


def early_departure(leg_s: int, noise: float) -> int:
    """How many seconds before the plan's departure a driver may set off on a leg of
    ``leg_s`` seconds, under road noise ``noise`` (deviation of log real / modelled time).
    The simulated drivers leave this early; the dispatcher treats a van as under way from
    then on (its head stop locks)."""
    return math.ceil(EARLY_DEPARTURE_DEVIATIONS * max(0.0, noise) * leg_s)
