"""Prometheus metrics of one API process (``GET /metrics``).

With several uvicorn workers each process counts its own requests; scrape each worker, or
sum them in Prometheus.
"""

from __future__ import annotations

import time

from prometheus_client import Counter, Histogram
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
REOPTIMISATIONS = Counter("maas_reoptimisation_rounds_total",
                          "Background re-optimisation rounds by what became of them "
                          "(committed on the state they started from or rebased on a newer "
                          "one; discarded)", ["result"])
STATE_WRITES = Counter("maas_state_writes_total", "Committed writes of a day's dispatch state")


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
