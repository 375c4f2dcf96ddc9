"""A month's parcel figures (貨客混載): what the vans carried besides riders.

- ``handed_in``: parcels shippers handed in (every status); ``refused``: no van could take
  them (the simulator records those; the live service answers 409 and keeps none);
  ``cancelled``: withdrawn before a van collected them.
- ``delivered``, ``returned`` (nobody home: brought back), ``undelivered`` (no van collected
  it before the day closed, or a simulated day ended with it on a van).
  ``delivered_share`` = delivered / (handed in - cancelled): a refused parcel counts
  against the service, a withdrawn one does not (the simulator's ``kpis.json`` share is
  the same where nothing is withdrawn).
- ``on_time_share``: delivered parcels that arrived by their ``deliver_by``, over the delivered
  ones that had a deadline. ``kg_delivered``, ``litres_delivered``.
- ``direct_km_delivered``: the drives from pickup to delivery of the delivered parcels, summed:
  a lower bound of what separate delivery rounds would have driven for them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from maas.history.day import DayRecord


@dataclass(frozen=True, slots=True)
class ParcelFigures:
    """The parcels of a set of days (a month)."""

    handed_in: int = 0
    refused: int = 0
    cancelled: int = 0
    delivered: int = 0
    returned: int = 0
    undelivered: int = 0
    delivered_share: float | None = None
    on_time_share: float | None = None
    kg_delivered: int = 0
    litres_delivered: int = 0
    direct_km_delivered: float = 0.0


def parcel_figures(days: Iterable[DayRecord]) -> ParcelFigures:
    """The parcel figures of these days."""
    parcels = [p for d in days for p in d.parcels]
    status = Counter(p.status for p in parcels)
    delivered = [p for p in parcels if p.status == "delivered"]
    judged = [ok for p in delivered if (ok := p.on_time) is not None]
    undertaken = len(parcels) - status["cancelled"]
    return ParcelFigures(
        handed_in=len(parcels), refused=status["refused"], cancelled=status["cancelled"],
        delivered=len(delivered), returned=status["returned"],
        undelivered=status["undelivered"],
        delivered_share=round(len(delivered) / undertaken, 4) if undertaken else None,
        on_time_share=round(sum(judged) / len(judged), 4) if judged else None,
        kg_delivered=sum(p.kg for p in delivered),
        litres_delivered=sum(p.litres for p in delivered),
        direct_km_delivered=round(sum(p.direct_m or 0 for p in delivered) / 1000, 3),
    )
