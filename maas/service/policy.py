"""The dispatch policy section of a service file, in engine units (seconds, factors).

``solver.dispatch.policy.policy_for_day`` turns it, with a date's hours, into the
dispatcher's ``DispatchPolicy`` (which lives in solver, so maas only holds the numbers).
Defaults equal ``DispatchPolicy``'s own, so an empty section changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PolicySpec:
    """Every dispatch rule a town sets (times in seconds)."""

    pickup_window_s: int = 600  # the final promise width (same-day rides, after the batch)
    max_wait_s: int = 1_800
    offer_ttl_s: int = 120
    alternative_horizon_s: int = 7_200
    alternative_step_s: int = 900
    arrive_by_slack_s: int = 1_800
    ride_time_a_s: int = 600  # maximum ride = a + b x direct
    ride_time_b: float = 1.5
    no_show_wait_s: int = 180
    travel_time_margin: float = 0.2
    travel_time_noise: float = 0.1  # the road model's noise (deviation of log real/model)
    reoptimise_every_s: int | None = 1_200  # None: never by time
    reoptimise_every_bookings: int | None = 10  # None: never by count
    reoptimise_time_limit_s: float = 5.0
    reoptimise_iterations: int | None = 150  # None: the solver's 3000
    reoptimise_vans: int = 3
    prebook_time_limit_s: float = 20.0
    deterministic: bool = True
    day_plan_cores: int = 1
    seed: int = 0
    max_snap_distance_m: float = 500.0
    board_s: int = 60
    alight_s: int = 60
    wheelchair_board_s: int = 300
    wheelchair_alight_s: int = 300
    weight_travel_time: float = 1.0
    weight_ride_time: float = 0.2
    weight_rejection: float = 100_000.0
    rescue_iterations: int | None = 100  # refusal rescue's search steps; None: off
    rescue_vans: int = 4  # vans near the ask solved together in a large fleet


MIN_RESCUE_ITERATIONS = 10  # fewer search steps cannot place a ride


def checked_rescue_iterations(value: int | None) -> int | None:
    """``value`` as a refusal rescue's search steps (None or 0: off), or ValueError for a
    count too small to place a ride (the service file's and the scenario's validators)."""
    if value is not None and 0 < value < MIN_RESCUE_ITERATIONS:
        msg = (f"{value} search steps cannot place a ride: at least "
               f"{MIN_RESCUE_ITERATIONS} (0 or null turns the rescue off)")
        raise ValueError(msg)
    return value
