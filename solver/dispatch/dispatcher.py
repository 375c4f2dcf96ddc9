"""``Dispatcher``: offers (pure query) and event transitions (pure function of state and event)."""

from __future__ import annotations

from typing import Any

from maas.travel import TravelTimeSource
from solver.dispatch.events import Event
from solver.dispatch.outcomes import Outcome
from solver.dispatch.policy import DispatchPolicy
from solver.dispatch.state import DispatchState, Offer, Rejection, RideAsk


class Dispatcher:
    """One dispatch logic for the API and the simulator (interface; being filled in)."""

    def __init__(self, travel: TravelTimeSource, policy: DispatchPolicy | None = None) -> None:
        self.travel = travel
        self.policy = policy if policy is not None else DispatchPolicy()

    def offer(self, state: DispatchState, ask: RideAsk) -> Offer | Rejection:
        """Best feasible insertion of ``ask`` as an offer, or a rejection with a reason."""
        raise NotImplementedError("issue 4: being built")

    def apply(self, state: DispatchState, event: Event) -> tuple[DispatchState, list[Outcome]]:
        """Apply one event; returns the new state (version + 1 if it changed) and outcomes."""
        raise NotImplementedError("issue 4: being built")

    def schedule(self, state: DispatchState) -> Any:
        """``maas.evaluation.evaluate`` of the live plan: planned times per stop."""
        raise NotImplementedError("issue 4: being built")
