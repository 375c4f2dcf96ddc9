"""The live dispatcher: instant offers, kept promises, rolling re-optimisation.

``Dispatcher.offer(state, ask)`` is a pure query and ``Dispatcher.apply(state, event)`` a pure
transition, so the API can apply events under a Redis version check and the simulator in
simulated time, with one dispatch logic.
"""

from solver.dispatch import events, outcomes
from solver.dispatch.dispatcher import Dispatcher
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.rebase import rebase, rebase_reoptimised
from solver.dispatch.state import (
    Alternative,
    Booking,
    BookingStatus,
    DispatchState,
    Offer,
    Promise,
    Rejection,
    RejectionReason,
    RideAsk,
)

__all__ = [
    "Alternative",
    "Booking",
    "BookingStatus",
    "DispatchPolicy",
    "DispatchState",
    "Dispatcher",
    "Offer",
    "Promise",
    "Rejection",
    "RejectionReason",
    "RideAsk",
    "events",
    "outcomes",
    "rebase",
    "rebase_reoptimised",
]
