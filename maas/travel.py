"""The travel-time source every planner asks "how long from here to there".

One Protocol, real implementations: the road network (``maas.roads``), the Euclidean
plane of the benchmark instances (``EuclideanTravel``), and matrices computed before over
a fixed set of places (``MatrixTravel``: saved real-road benchmark days).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np

from maas.domain import Location


@runtime_checkable
class TravelTimeSource(Protocol):
    """Exact shortest-path travel times (int seconds) and distances (int metres)."""

    @property
    def version(self) -> int:
        """Bumps whenever travel times change (closure, winter profile): caches key on it."""
        ...

    def durations(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        """``len(origins) x len(destinations)`` int64 array of travel seconds."""
        ...

    def distances(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        """``len(origins) x len(destinations)`` int64 array of metres along the fastest path."""
        ...


class EuclideanTravel:
    """Straight-line travel on a plane (``lon`` = x, ``lat`` = y), scaled to integers.

    ``scale`` converts plane units to integer seconds/metres; times round *up* so that a
    plan feasible in integers stays feasible in the real numbers.
    """

    def __init__(self, scale: float = 1.0, speed: float = 1.0) -> None:
        self.scale = scale
        self.speed = speed

    @property
    def version(self) -> int:
        return 0

    def _raw(self, origins: Sequence[Location], destinations: Sequence[Location]) -> np.ndarray:
        o = np.array([(p.lon, p.lat) for p in origins], dtype=float).reshape(-1, 2)
        d = np.array([(p.lon, p.lat) for p in destinations], dtype=float).reshape(-1, 2)
        return np.hypot(o[:, None, 0] - d[None, :, 0], o[:, None, 1] - d[None, :, 1])

    def durations(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        raw = self._raw(origins, destinations) * self.scale / self.speed
        return np.ceil(raw - 1e-9).astype(np.int64)

    def distances(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        return np.ceil(self._raw(origins, destinations) * self.scale - 1e-9).astype(np.int64)


class MatrixTravel:
    """Travel read from precomputed matrices over a fixed set of places (a saved benchmark
    day, a test): ``places[i]`` is row and column ``i`` of ``seconds`` and ``metres``.

    Asking for a place outside the set raises ``KeyError`` naming it: a matrix answers only
    what it was computed for.
    """

    def __init__(self, places: Sequence[Location], seconds: np.ndarray, metres: np.ndarray
                 ) -> None:
        n = len(places)
        if seconds.shape != (n, n) or metres.shape != (n, n):
            msg = (f"matrices of shape {seconds.shape} and {metres.shape} do not fit "
                   f"{n} places")
            raise ValueError(msg)
        self.places = tuple(places)
        self._index = {p: i for i, p in enumerate(self.places)}
        if len(self._index) != n:
            msg = "places must be distinct"
            raise ValueError(msg)
        self.seconds = seconds.astype(np.int64, copy=False)
        self.metres = metres.astype(np.int64, copy=False)

    @property
    def version(self) -> int:
        return 0

    def _rows(self, places: Sequence[Location]) -> np.ndarray:
        try:
            return np.fromiter((self._index[p] for p in places), dtype=np.int64,
                               count=len(places))
        except KeyError as exc:
            msg = f"{exc.args[0]} is not one of the matrix's places"
            raise KeyError(msg) from None

    def durations(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        return self.seconds[np.ix_(self._rows(origins), self._rows(destinations))]

    def distances(
        self, origins: Sequence[Location], destinations: Sequence[Location]
    ) -> np.ndarray:
        return self.metres[np.ix_(self._rows(origins), self._rows(destinations))]
