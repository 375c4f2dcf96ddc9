"""`maas bench dispatch`: one JSON object with the keys the issue names."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from cli import app


@pytest.mark.slow
def test_bench_dispatch_prints_the_contract_keys() -> None:
    """A small day on the demo town prints latency, counts, violations and vehicle hours."""
    result = CliRunner().invoke(app, ["bench", "dispatch", "demo", "--vehicles", "3",
                                      "--requests", "25", "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data["offer_latency_ms"]) >= {"p50", "p99", "max"}
    assert data["requests"] == 25
    assert data["accepted"] + data["rejected"] == 25
    assert data["promise_violations"] == 0
    assert data["vehicle_hours"] > 0
    assert data["synthetic"] is True
