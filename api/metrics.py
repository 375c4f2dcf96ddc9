"""Prometheus metrics of the API (``GET /metrics``), summed over all its worker processes.

With several uvicorn workers a scrape lands on one of them at random, so per-process
counters would jump about. ``maas serve`` therefore runs prometheus_client's multiprocess
mode: it points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh folder before the workers start,
each worker writes its samples there (memory-mapped files, one per process), and whichever
worker answers ``/metrics`` reads them all (``registry``). A worker killed and restarted
keeps what it had counted (its file stays). Without the variable (tests, an app built
in-process) the metrics are this process's own.
"""

from __future__ import annotations

import os
import time

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, multiprocess
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUESTS = Counter("maas_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "maas_http_request_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
OFFERS = Counter("maas_offers_total", "Offer requests by result", ["result"])
BOOKINGS = Counter("maas_bookings_total", "Booking requests by result", ["result"])
STATE_BYTES = Counter("maas_state_bytes_written_total",
                      "Bytes of dispatch state (root and new parts) written to Redis")
STATE_WRITES = Counter("maas_state_writes_total", "Committed writes of a day's dispatch state")
POSITIONS = Counter("maas_position_reports_total", "Van position reports by result", ["result"])
REOPTIMISE_ROUNDS = Counter(
    "maas_reoptimise_rounds_total",
    "Re-optimisation rounds of the background tick by what became of their result "
    "(api.main.round_fate): committed (a better plan, written as found: state unchanged "
    "meanwhile), rebased / partly_rebased (all / some of its re-routed vans carried onto "
    "the newer state), nothing_better (no better plan on the round's snapshot), "
    "no_better_now (better routes, carried onto the newer state, no better there than the "
    "live ones), discarded (better routes that could not be carried onto the newer state)",
    ["result"])
REOPTIMISE_REFUSALS = Counter(
    "maas_reoptimise_refusals_total",
    "Groups of re-routed vans a background round that found a better plan could not carry "
    "onto the newer state, by reason (solver.dispatch.rebase.Refusal)", ["reason"])
RATE_LIMITED = Counter("maas_rate_limited_total", "Requests refused with 429", ["who"])

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"


def registry() -> CollectorRegistry:
    """What ``/metrics`` reports: every worker's samples in multiprocess mode, else this
    process's."""
    if os.environ.get(MULTIPROC_ENV):
        summed = CollectorRegistry()
        multiprocess.MultiProcessCollector(summed)  # type: ignore[no-untyped-call]
        return summed
    return REGISTRY


class RequestMetrics:
    """ASGI middleware: count each request and time it, labelled by its route template.

    Pure ASGI rather than ``@app.middleware("http")``: that wrapper costs about a
    millisecond per request, which the offer hot path cannot spare.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            path = getattr(scope.get("route"), "path", "unmatched")
            LATENCY.labels(scope["method"], path).observe(time.perf_counter() - started)
            REQUESTS.labels(scope["method"], path, str(status)).inc()
