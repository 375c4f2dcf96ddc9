"""policy_for_day: the dispatcher's policy is exactly what the service file states."""

from __future__ import annotations

from datetime import date

from maas.domain import CostWeights, RideTimePolicy, TimeWindow
from maas.service import ServiceDefinition
from solver.dispatch.policy import DISABLED, DispatchPolicy, policy_for_day
from tests.service.conftest import service


def test_the_demo_policy_on_a_monday(demo: ServiceDefinition) -> None:
    """Hours of the day, final window 10 min, ride time 10 min + 1.5 x direct, and the rest."""
    p = policy_for_day(demo, date(2026, 12, 7))
    assert p.operating_hours == TimeWindow(7 * 3600, 18 * 3600)
    assert p.pickup_window == 600
    assert p.max_wait == 1800
    assert p.ride_time == RideTimePolicy(600, 1.5)
    assert p.no_show_wait == 180
    assert p.travel_time_margin == 0.2
    assert (p.reoptimise_every_s, p.reoptimise_every_bookings) == (300, 10)
    assert (p.wheelchair_board_seconds, p.wheelchair_alight_seconds) == (300, 300)


def test_provisional_promises_are_the_provisional_width(demo: ServiceDefinition) -> None:
    """Rides booked for a later day get the 30-minute window."""
    assert policy_for_day(demo, date(2026, 12, 7), provisional=True).pickup_window == 1800


def test_an_empty_policy_section_is_the_dispatcher_default() -> None:
    """Defaults in the file equal DispatchPolicy's own: only hours (and area) differ."""
    svc = service(drop=("policy",))
    d = date(2026, 12, 7)
    assert policy_for_day(svc, d) == DispatchPolicy(operating_hours=TimeWindow(25200, 64800))


def test_every_policy_field_is_read_from_the_file() -> None:
    """Changed values all come through, re-optimisation triggers can be turned off."""
    svc = service({"policy": {
        "pickup_window_minutes": 15, "max_wait_minutes": 45, "offer_ttl_seconds": 60,
        "alternative_horizon_minutes": 60, "alternative_step_minutes": 10,
        "arrive_by_slack_minutes": 20, "ride_time": {"base_minutes": 5, "factor": 2.0},
        "no_show_wait_minutes": 5, "travel_time_margin": 0.1,
        "reoptimise": {"every_minutes": None, "every_bookings": None, "time_limit_seconds": 2,
                       "iterations": 400, "vans": 2, "prebook_time_limit_seconds": 9,
                       "deterministic": False, "day_plan_cores": 2},
        "boarding": {"board_seconds": 90, "alight_seconds": 45,
                     "wheelchair_board_seconds": 600, "wheelchair_alight_seconds": 420},
        "weights": {"travel_time": 2, "ride_time": 0.5, "rejection": 5000},
        "rescue": {"iterations": 150, "vans": 5},
        "max_snap_distance_m": 300, "seed": 7},
        "network.service_area": [142.0, 42.9, 142.1, 43.1],
        "booking.provisional_window_minutes": 40})
    p = policy_for_day(svc, date(2026, 12, 7))
    assert p == DispatchPolicy(
        pickup_window=900, max_wait=2700, offer_ttl=60, alternative_horizon=3600,
        alternative_step=600, arrive_by_slack=1200, reoptimise_every_s=DISABLED,
        reoptimise_every_bookings=DISABLED, reoptimise_time_limit_s=2.0, reoptimise_vans=2,
        reoptimise_iterations=400,
        deterministic=False, prebook_time_limit_s=9.0, day_plan_cores=2, no_show_wait=300,
        ride_time=RideTimePolicy(300, 2.0), operating_hours=TimeWindow(25200, 64800),
        service_area=(142.0, 42.9, 142.1, 43.1), max_snap_distance_m=300.0,
        board_seconds=90, alight_seconds=45, wheelchair_board_seconds=600,
        wheelchair_alight_seconds=420, weights=CostWeights(2.0, 0.5, 5000.0),
        travel_time_margin=0.1, seed=7, rescue_iterations=150, rescue_vans=5,
    )


def test_saturday_hours_apply_on_saturdays() -> None:
    """Hours per day type reach the policy: a shorter Saturday."""
    svc = service({"hours.saturday": ["08:00", "13:00"]})
    assert policy_for_day(svc, date(2026, 12, 12)).operating_hours == TimeWindow(28800, 46800)


def test_a_day_without_service_gets_the_whole_day(demo: ServiceDefinition) -> None:
    """On a closed day the booking rules refuse first; the policy keeps a valid window."""
    assert policy_for_day(demo, date(2026, 12, 6)).operating_hours == TimeWindow(0, 86_400)


def test_zero_rescue_steps_turn_the_rescue_off() -> None:
    """``policy.rescue.iterations: 0`` and ``null`` both mean no refusal rescue."""
    for value in (0, None):
        svc = service({"policy.rescue.iterations": value})
        assert policy_for_day(svc, date(2026, 12, 7)).rescue_iterations is None
