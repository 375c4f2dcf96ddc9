"""The service around the routes: start-up rules, demo mode, the ticker that lifts closures."""

from __future__ import annotations

import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
import redis
from pydantic import SecretStr
from typer.testing import CliRunner

from api.clock import ServiceClock, TrainingClock
from api.main import service_of, tick_once
from api.persistence import persistence_warning
from api.service_days import ServiceDays
from api.settings import Settings, SettingsError
from api.store import AreaStore
from cli import app as maas_cli
from maas.domain import TimeWindow
from tests.api.conftest import MAAS, OPERATOR, T0, Area, free_port, iso, wait_until


def test_refuses_to_start_without_operator_token_or_redis() -> None:
    """Outside demo mode the operator token and the Redis URL are required."""
    with pytest.raises(SettingsError, match="MAAS_OPERATOR_TOKEN"):
        Settings(redis_url="redis://127.0.0.1:1/0").check_startable()
    with pytest.raises(SettingsError, match="MAAS_REDIS_URL"):
        Settings(operator_token=SecretStr("x")).check_startable()
    Settings(demo=True).check_startable()


def test_maas_serve_without_token_exits_with_a_reason() -> None:
    """`maas serve` without MAAS_OPERATOR_TOKEN exits 2 with a one-line reason."""
    result = CliRunner().invoke(maas_cli, ["serve", "--network", "demo"],
                                env={"MAAS_OPERATOR_TOKEN": "", "MAAS_REDIS_URL": ""})
    assert result.exit_code == 2
    assert "MAAS_OPERATOR_TOKEN" in result.output


@pytest.mark.parametrize(("config", "warns"), [
    ({"appendonly": "no", "save": ""}, "OFF"),
    ({"appendonly": "no", "save": "3600 1"}, "appendonly"),
    ({"appendonly": "yes", "appendfsync": "no"}, "appendfsync"),
    ({"appendonly": "yes", "appendfsync": "everysec"}, None),
    ({"appendonly": "yes", "appendfsync": "always"}, None),
])
def test_persistence_warning(config: dict[str, str], warns: str | None) -> None:
    """Only settings that can lose confirmed bookings are warned about."""
    warning = persistence_warning(config)
    assert (warning is None) if warns is None else (warns in (warning or ""))


def test_ticker_lifts_a_closure_whose_until_has_passed(area: Area) -> None:
    """A closure with `until` is in force until a tick after that time lifts it."""
    client = area.client
    line = {"type": "LineString", "coordinates": [[142.02, 43.01], [142.04, 43.02]]}
    r = client.post("/v1/closures", json={"geometry": line, "until": iso(timedelta(hours=1))},
                    headers=OPERATOR)
    assert r.status_code == 201
    rt: Any = client.app.state.runtime  # type: ignore[attr-defined]
    today = rt.days.context(T0.date()).store
    assert client.portal is not None
    assert len(client.portal.call(today.state).closures) == 1
    client.portal.call(tick_once, rt)
    assert len(client.portal.call(today.state).closures) == 1  # not yet
    moved = client.put("/v1/clock", json={"now": iso(timedelta(hours=1, minutes=1))},
                       headers=OPERATOR)
    assert moved.status_code == 200, moved.text
    client.portal.call(tick_once, rt)
    assert client.portal.call(today.state).closures == ()


@pytest.mark.slow
def test_demo_mode_serves_without_redis(tmp_path: Path) -> None:
    """`maas serve --demo --training` runs on fakeredis with the demo town's service and
    fleet: a phone booking works at the hour the clock was started at."""
    port = free_port()
    with (tmp_path / "err").open("wb") as err:
        proc = subprocess.Popen([str(MAAS), "serve", "--demo", "--training", "--port", str(port)],
                                stdout=subprocess.DEVNULL, stderr=err,
                                env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                     "MAAS_CLOCK_START": T0.isoformat(),
                                     "MAAS_ARCHIVE_DIR": str(tmp_path / "archive")})
    base = f"http://127.0.0.1:{port}"
    op = {"Authorization": "Bearer demo-operator"}
    try:
        wait_until(lambda: httpx.get(f"{base}/readyz", timeout=2).status_code == 200, "demo")
        with httpx.Client(base_url=base, headers=op, timeout=30) as c:
            assert len(c.get("/v1/vehicles").json()["vehicles"]) == 4
            rider = c.post("/v1/riders", json={"name": "Demo"}).json()
            station = {"lat": 43.0138939, "lon": 142.0291998}
            clinic = {"lat": 43.0070208, "lon": 142.0285471}
            offer = c.post("/v1/offers", json={"origin": station, "destination": clinic,
                                               "rider_id": rider["id"]})
            assert offer.status_code == 201, offer.text
            booking = c.post("/v1/bookings", json={"offer_id": offer.json()["offer_id"]},
                             headers={"Idempotency-Key": "demo"})
            assert booking.status_code == 201
            assert booking.json()["vehicle_id"] in {"v1", "v2", "v3", "v4"}
    finally:
        proc.kill()
        proc.wait(timeout=10)
    assert "demo mode" in (tmp_path / "err").read_text()


def test_operating_hours_follow_the_calendar(demo_network: Any) -> None:
    """Each day's dispatcher plans with that day's hours from the service file, counted
    from that day's midnight; Sundays and public holidays have none."""
    svc = service_of(Settings(demo=True))
    days = ServiceDays(svc, demo_network, AreaStore(cast(Any, None), "t"), TrainingClock(T0))
    tuesday = days.context(date(2026, 12, 8))
    assert tuesday.dispatcher.policy.operating_hours == TimeWindow(7 * 3600, 18 * 3600)
    assert tuesday.booking_dispatcher.policy.pickup_window == 30 * 60
    assert tuesday.dispatcher.policy.pickup_window == 10 * 60
    assert svc.hours(date(2026, 12, 13)) is None  # a Sunday
    assert svc.hours(date(2027, 1, 11)) is None  # Coming-of-Age Day (成人の日)
    assert tuesday.clock.now_seconds() == 9 * 3600
    assert days.clock_of(date(2026, 12, 9)).now_seconds() == 9 * 3600 - 86_400


def test_clock_round_trips_iso_times() -> None:
    """ISO 8601 in any offset maps to service-day seconds and back to the area's offset."""
    clock = ServiceClock(date(2026, 11, 26), "Asia/Tokyo")
    seconds = clock.earliest(datetime.fromisoformat("2026-11-26T00:30:00+00:00"))
    assert seconds == 9 * 3600 + 30 * 60
    assert clock.iso(seconds) == "2026-11-26T09:30:00+09:00"
    assert clock.earliest(datetime(2026, 11, 26, 9, 30, 0, 500_000)) == seconds + 1
    assert clock.latest(datetime(2026, 11, 26, 9, 30, 0, 500_000)) == seconds


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.slow
def test_ticks_run_in_a_helper_that_dies_with_the_api(served: Any) -> None:
    """With ticks on, the re-optimising helper process commits ticks, and a kill -9 of the
    API takes it down too (no orphan)."""
    served.env["MAAS_TICK_SECONDS"] = "0.5"
    served.start()
    assert served.proc is not None
    wait_until(lambda: len(_children(served.proc.pid)) >= 1, "tick helper", timeout=30)
    version_key = f"maas:{{{served.env['MAAS_AREA']}}}:day:{T0.date().isoformat()}:version"
    client = redis.Redis.from_url(served.env["MAAS_REDIS_URL"])
    wait_until(lambda: int(cast(bytes | None, client.get(version_key)) or 0) >= 2,
               "a committed tick", timeout=30)
    helpers = _children(served.proc.pid)
    served.kill_9()
    wait_until(lambda: not any(Path(f"/proc/{p}").exists() for p in helpers), "helper exit",
               timeout=15)
