"""The ticks: their helper process a little below requests (not starved), and what became
of a background re-optimisation round."""

from __future__ import annotations

import os

from api.main import round_fate
from api.settings import Settings
from api.ticker import Ticker
from solver.dispatch.rebase import Refusal


def test_tick_helper_runs_a_little_below_requests_by_default() -> None:
    """The helper process that re-optimises runs at the configured niceness above the API
    process (default 2; it was 10, a tenth of a busy worker's CPU share)."""
    nice = Settings().tick_nice
    assert 0 < nice <= 5
    ticker = Ticker.in_helper_process("demo", None, nice)
    try:
        assert ticker.pool is not None
        helper = ticker.pool.submit(os.nice, 0).result(timeout=120)
    finally:
        ticker.close()
    assert helper == min(19, os.nice(0) + nice)


def test_a_round_is_discarded_only_when_better_routes_could_not_be_carried() -> None:
    """The fate of a round whose state moved on (``maas_reoptimise_rounds_total``): one that
    found nothing better is not a discarded one, nor one whose routes were carried and
    judged no better on the state of now; a refusal of another kind discards it."""
    assert round_fate(False, [Refusal.ONBOARD_ELSEWHERE], None) == "nothing_better"
    assert round_fate(True, [], None) == "nothing_better"
    assert round_fate(True, [], True) == "rebased"
    assert round_fate(True, [Refusal.NO_BETTER], False) == "partly_rebased"
    assert round_fate(True, [Refusal.NO_BETTER, Refusal.NO_BETTER], None) == "no_better_now"
    assert round_fate(True, [Refusal.NO_BETTER, Refusal.VAN_GONE], None) == "discarded"
    assert round_fate(True, [Refusal.NEW_RIDE_FITS_NOWHERE], None) == "discarded"
