"""GOFS-lite out: every document against the schemas shipped beside this test."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from typer.testing import CliRunner

from cli import app
from maas.publish.gofs import FEEDS, GofsOptions, gofs_documents
from maas.service import load_service

SCHEMAS = Path(__file__).with_name("gofs_schemas")
DEMO = Path("scenarios/demo-service.yaml")


def check(name: str, doc: dict[str, Any]) -> None:
    """Validate one document against its schema (draft-07, formats checked)."""
    schema = json.loads((SCHEMAS / f"{name}.json").read_text())
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)


def test_written_files_match_the_schemas(tmp_path: Path) -> None:
    out = tmp_path / "gofs"
    result = CliRunner().invoke(app, ["export", "gofs", str(DEMO), "--out", str(out),
                                      "--start", "2026-12-01", "--base-url",
                                      "https://demo.example.org/gofs"])
    assert result.exit_code == 0, result.output
    names = sorted(p.stem for p in out.glob("*.json"))
    assert names == sorted(["gofs", *FEEDS])
    for name in names:
        check(name, json.loads((out / f"{name}.json").read_text(encoding="utf-8")))
    discovery = json.loads((out / "gofs.json").read_text())
    assert discovery["data"]["ja"]["feeds"][0]["url"] == \
        "https://demo.example.org/gofs/system_information.json"


def test_documents_say_what_the_service_does() -> None:
    svc = load_service(DEMO)
    docs = gofs_documents(svc, GofsOptions(date(2026, 12, 1), 1_796_083_200))
    cals = {c["calendar_id"]: c for c in docs["calendars"]["data"]["calendars"]}
    assert cals["weekday"]["days"] == ["mon", "tue", "wed", "thu", "fri"]
    assert "20270111" in cals["weekday"]["excepted_dates"]  # Coming of Age Day
    assert "20261231" in cals["weekday"]["excepted_dates"]  # closed date
    assert cals["saturday"]["excepted_dates"] == ["20270102"]
    rules = docs["operating_rules"]["data"]["operating_rules"]
    assert {(r["start_pickup_window"], r["end_pickup_window"]) for r in rules} == {
        ("07:00:00", "18:00:00")}
    assert docs["vehicle_types"]["data"]["vehicle_types"] == [
        {"vehicle_type_id": "van_8_wc1", "max_capacity": 9,
         "wheelchair_boarding": "boarding_accessible"}]
    fares = {f["fare_id"]: f["rider"][0]["amount"] for f in docs["fares"]["data"]["fares"]}
    assert fares == {"adult": 300, "child": 150, "disability": 150}
    assert docs["wait_times"]["data"]["wait_time"][0]["wait_time"] == 30 * 60


def test_schemas_can_fail() -> None:
    svc = load_service(DEMO)
    docs = gofs_documents(svc, GofsOptions(date(2026, 12, 1), 1_796_083_200))
    bad = json.loads(json.dumps(docs["operating_rules"]))
    del bad["data"]["operating_rules"][0]["calendars"]
    with pytest.raises(jsonschema.ValidationError, match="calendars"):
        check("operating_rules", bad)
    bad = json.loads(json.dumps(docs["zones"]))
    bad["data"]["zones"]["features"][0]["geometry"]["type"] = "Polygon"
    with pytest.raises(jsonschema.ValidationError):
        check("zones", bad)
