"""The parcel rules of a service file (貨客混載, ``parcels:``), in engine units.

``solver.dispatch.policy.policy_for_day`` copies them into the dispatcher's policy, so the
live service and the simulator carry parcels by the same rules. Cargo space per van lives
with the van (``fleet.vans[].cargo``, see ``maas.service.roster``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

ReturnTo = Literal["depot", "pickup"]


@dataclass(frozen=True, slots=True)
class ParcelRules:
    """Handling time at the pickup and at the delivery (no boarding, no no-show wait), the
    default delivery window (``window_s`` seconds from the pickup's opening; None: "today",
    by closing time) and where a parcel nobody took goes back to."""

    pickup_handling_s: int = 120
    delivery_handling_s: int = 120
    window_s: int | None = None
    return_to: ReturnTo = "depot"
