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
