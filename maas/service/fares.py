"""Fares: a flat fare per rider, with optional reduced fares (children, disability)."""

from __future__ import annotations

from dataclasses import dataclass

from maas.errors import InvalidInput


@dataclass(frozen=True, slots=True)
class Fares:
    """Whole-currency fares per rider (JPY has no minor unit).

    ``child`` and ``disability`` default to the adult fare when the file gives none;
    a wheelchair rider pays the disability fare (Japanese towns halve it for holders of a
    disability certificate, 障害者手帳).
    """

    currency: str = "JPY"
    adult: int = 0
    child: int | None = None
    disability: int | None = None

    def fare(
        self, passengers: int, *, wheelchairs: int = 0, children: int = 0, disability: int = 0
    ) -> int:
        """The fare of one booking: ``passengers`` walking riders (of whom ``children`` and
        ``disability`` pay reduced fares) plus ``wheelchairs`` wheelchair riders."""
        if min(passengers, wheelchairs, children, disability) < 0:
            msg = "fare: rider counts must not be negative"
            raise InvalidInput(msg)
        if children + disability > passengers:
            msg = "fare: children and disability riders are counted among the passengers"
            raise InvalidInput(msg)
        child = self.adult if self.child is None else self.child
        reduced = self.adult if self.disability is None else self.disability
        adults = passengers - children - disability
        return adults * self.adult + children * child + (disability + wheelchairs) * reduced
