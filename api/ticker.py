"""Letting time pass, and planning whole days, off the request path.

Every ``tick_seconds`` the service applies ``Tick(now)`` (and ``RoadReopened`` for closures
whose ``until`` has passed) to the dispatcher. A tick may re-optimise the plan with OR-Tools
for up to ``DispatchPolicy.reoptimise_time_limit_s``; the solver holds the GIL throughout, so
run inside the API process it would stall every request of that worker. It therefore runs
in a helper process of its own (at lower CPU priority), on a snapshot of the state, and is
committed only if the area's state has not changed meanwhile (otherwise the next tick tries
again: re-optimising only ever improves a plan that is already feasible, so a skipped tick
loses nothing). Of several API processes on one area, one ticks at a time (a lease in Redis).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING

from solver.dispatch import Dispatcher, DispatchPolicy, DispatchState, outcomes
from solver.dispatch.dayplan import DayPlan, plan_day
from solver.dispatch.events import Event

if TYPE_CHECKING:
    from maas.roads import RoadNetwork

log = logging.getLogger("maas.api")

Result = tuple[DispatchState, list[outcomes.Outcome]]

_worker_network: RoadNetwork | None = None
_worker_dispatcher: Dispatcher | None = None


def apply_all(dispatcher: Dispatcher, state: DispatchState, events: Sequence[Event]) -> Result:
    """Apply events in order; an event the dispatcher turns down is skipped."""
    results: list[outcomes.Outcome] = []
    for event in events:
        new, out = dispatcher.apply(state, event)
        if any(isinstance(o, outcomes.EventRejected) for o in out):
            log.info("tick: %s turned down: %s", type(event).__name__, out)
            continue
        state = new
        results.extend(out)
    return state, results


def _start_worker(source: str, polygon: Path | None, parent_pid: int, nice: int) -> None:
    """Helper-process start: follow the API process out, yield some CPU to requests, then
    load the road network."""
    global _worker_network
    with contextlib.suppress(OSError):
        os.nice(nice)  # background work, but not so far down that busy requests starve it
    threading.Thread(target=_exit_with_parent, args=(parent_pid,), daemon=True).start()
    from maas.roads import load_network

    _worker_network = load_network(source, polygon=polygon)


def _exit_with_parent(parent_pid: int) -> None:
    # A helper outliving a killed (-9) API process would be an orphan holding memory.
    while os.getppid() == parent_pid:
        time.sleep(1.0)
    os._exit(0)


def _worker(policy: DispatchPolicy) -> Dispatcher:
    global _worker_dispatcher
    if _worker_dispatcher is None or _worker_dispatcher.policy != policy:
        if _worker_network is None:
            msg = "the re-optimisation helper process has no road network (not started)"
            raise RuntimeError(msg)
        _worker_dispatcher = Dispatcher(_worker_network, policy)
    return _worker_dispatcher


def _apply_in_worker(policy: DispatchPolicy, state: DispatchState,
                     events: Sequence[Event]) -> Result:
    return apply_all(_worker(policy), state, events)


def _plan_in_worker(policy: DispatchPolicy, state: DispatchState, width: int,
                    time_limit_s: float) -> DayPlan:
    return plan_day(_worker(policy), state, width, time_limit_s)


class Ticker:
    """Applies tick events in a helper process (or, without one, in this process)."""

    def __init__(self, pool: Executor | None) -> None:
        self.pool = pool

    @classmethod
    def in_helper_process(cls, source: str, polygon: Path | None, nice: int = 2) -> Ticker:
        """A ticker whose helper process (at niceness ``nice`` above this one's) loads the
        road network from ``source`` itself."""
        pool = ProcessPoolExecutor(
            max_workers=1, mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker, initargs=(source, polygon, os.getpid(), nice))
        return cls(pool)

    def warm(self) -> None:
        """Start the helper process now (it loads the road network), not at the first tick."""
        if self.pool is not None:
            self.pool.submit(os.getpid)

    async def run(self, dispatcher: Dispatcher, state: DispatchState,
                  events: Sequence[Event]) -> Result:
        """The state after ``events`` and what happened."""
        if self.pool is None:
            return apply_all(dispatcher, state, events)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.pool, _apply_in_worker, dispatcher.policy, state, list(events))

    async def plan_day(self, dispatcher: Dispatcher, state: DispatchState, width: int,
                       time_limit_s: float) -> DayPlan:
        """A day's batch plan (``solver.dispatch.dayplan.plan_day``), off the request path."""
        if self.pool is None:
            return plan_day(dispatcher, state, width, time_limit_s)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self.pool, _plan_in_worker, dispatcher.policy, state, width, time_limit_s)

    def close(self) -> None:
        """Stop the helper process."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
