"""Prometheus metrics of one API process (``GET /metrics``).

With several uvicorn workers each process counts its own requests; scrape each worker, or
sum them in Prometheus.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable

from prometheus_client import Counter, Histogram
from starlette.requests import Request
from starlette.responses import Response

REQUESTS = Counter("maas_http_requests_total", "HTTP requests", ["method", "route", "status"])
LATENCY = Histogram(
    "maas_http_request_seconds", "HTTP request latency", ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
OFFERS = Counter("maas_offers_total", "Offer requests by result", ["result"])
BOOKINGS = Counter("maas_bookings_total", "Booking requests by result", ["result"])


async def record_request(
    request: Request, call_next: Callable[[Request], Awaitable[Response]]
) -> Response:
    """HTTP middleware: count each request and time it, labelled by its route template."""
    started = time.perf_counter()
    response = await call_next(request)
    route = request.scope.get("route")
    path = getattr(route, "path", "unmatched")
    LATENCY.labels(request.method, path).observe(time.perf_counter() - started)
    REQUESTS.labels(request.method, path, str(response.status_code)).inc()
    return response
