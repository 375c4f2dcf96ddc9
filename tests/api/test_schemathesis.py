"""Property-based run of every operation in /openapi.json (schemathesis, bounded examples)
against ``maas serve``: whatever the input, no 5xx."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from tests.api.conftest import OPERATOR, ServedApi, iso

EXAMPLES_PER_OPERATION = 25
STATEFUL_SCENARIOS = 30


@pytest.mark.slow
def test_no_operation_answers_5xx(served: ServedApi, places: dict[str, Any]) -> None:
    """Generated requests to every operation, as the operator and as a rider, never get a
    5xx (the area has a van and a rider, so valid requests reach the dispatcher too)."""
    c = served.start()
    c.post("/v1/vehicles", headers=OPERATOR, json={
        "name": "Hiace", "seats": 8, "wheelchair_places": 1, "depot": places["depot"],
        "shift_start": iso(-timedelta(hours=1)), "shift_end": iso(timedelta(hours=10))})
    rider = c.post("/v1/riders", json={"name": "Abe"}, headers=OPERATOR).json()
    schema = schemathesis.openapi.from_url(f"{served.base}/openapi.json")
    tokens = [OPERATOR, {"Authorization": f"Bearer {rider['token']}"}]
    failures: list[str] = []
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) >= 12
    for operation in operations:
        if operation.path == "/v1/events":
            continue  # an endless stream; its auth and headers are covered elsewhere
        _explore(operation, tokens, failures)()
    assert failures == []


def _explore(operation: Any, tokens: list[dict[str, str]], failures: list[str]) -> Any:
    """A hypothesis test sending generated requests to one operation."""

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    def explore(case: Any) -> None:
        headers = tokens[len(str(case.body)) % 2]
        response = case.call(headers=headers, timeout=30)
        if response.status_code >= 500:
            failures.append(f"{operation.method.upper()} {operation.path}: "
                            f"{response.status_code} {response.text[:200]}")
        case.validate_response(response, checks=[not_a_server_error])

    return explore


@pytest.mark.slow
def test_stateful_sequences_never_answer_5xx(served: ServedApi, places: dict[str, Any]) -> None:
    """Call sequences along the OpenAPI links (an offer booked, the booking read and
    cancelled, a new rider or van read and changed), with generated data at each step, as
    the operator: never a 5xx. Bounded: a few scenarios of a few steps each."""
    c = served.start()
    c.post("/v1/vehicles", headers=OPERATOR, json={
        "name": "Hiace", "seats": 8, "wheelchair_places": 1, "depot": places["depot"],
        "shift_start": iso(-timedelta(hours=1)), "shift_end": iso(timedelta(hours=10))})
    schema = schemathesis.openapi.from_url(f"{served.base}/openapi.json")
    links = [name for item in c.get("/openapi.json").json()["paths"].values()
             for op in item.values() if isinstance(op, dict)
             for resp in op.get("responses", {}).values() for name in resp.get("links", {})]
    assert {"BookOffer", "CancelBooking", "ReadRider", "VehicleManifest"} <= set(links)
    failures: list[str] = []
    steps: list[str] = []

    class Sequences(schema.as_state_machine()):  # type: ignore[misc]
        def get_call_kwargs(self, case: Any) -> dict[str, Any]:
            return {"headers": OPERATOR, "timeout": 30}

        def validate_response(self, response: Any, case: Any, *args: Any,
                              **kwargs: Any) -> None:
            steps.append(f"{case.operation.method.upper()} {case.operation.path}")
            if response.status_code >= 500:
                failures.append(f"{case.operation.method.upper()} {case.operation.path}: "
                                f"{response.status_code} {response.text[:200]}")

    Sequences.run(settings=settings(max_examples=STATEFUL_SCENARIOS, stateful_step_count=6,
                                    deadline=None, database=None, derandomize=True,
                                    suppress_health_check=list(HealthCheck)))
    assert failures == []
    assert any("/v1/bookings" in s for s in steps)  # the walk went past the first call
