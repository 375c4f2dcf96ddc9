"""Scenario files: the YAML a planner writes, validated into typed settings.

Parsing lives here only; the simulator receives a validated ``Scenario``. A bad field raises
``ScenarioError`` naming the field (``fleet.vehicles: ...``). A scenario may name a service
file (``service: demo-service.yaml`` and a ``date:``) instead of its own fleet and policy:
then the day simulated runs that date's roster and policy, as the live service would.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import replace
from datetime import date as Date  # a scenario field is called date
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    field_validator,
    model_validator,
)

from maas.errors import InvalidInput
from maas.service import MeetingPolicy, ServiceDefinition, ServiceError, load_service
from maas.service.clock import clock_to_seconds, to_day_seconds
from maas.service.definition import resolve_data_path as find_data_file
from maas.service.meeting import RIDER_FLAGS
from maas.service.policy import checked_rescue_iterations


class ScenarioError(InvalidInput):
    """A scenario file that cannot be read or has a bad field."""

    code = "bad_scenario"


class _Strict(BaseModel):
    """Unknown keys are errors: a typo must not silently fall back to a default."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LatLon(_Strict):
    """A point given as latitude/longitude in degrees."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)


class NetworkConfig(_Strict):
    """Where the roads come from and which part of them is served."""

    source: str
    service_area: str | tuple[float, float, float, float] | None = None
    winter: bool = False


class FleetConfig(_Strict):
    """Vans, their seats and their shift."""

    depot: LatLon | None = None
    vehicles: int = Field(ge=1, le=500)
    seats: int = Field(default=8, ge=1, le=60)
    wheelchair_places: int = Field(default=1, ge=0, le=10)
    shift: tuple[str, str] = ("07:00", "19:00")

    @field_validator("shift")
    @classmethod
    def _shift_is_clock_range(cls, value: tuple[str, str]) -> tuple[str, str]:
        start, end = (clock_to_seconds(v) for v in value)
        if end <= start:
            msg = f"shift ends ({value[1]}) before it starts ({value[0]})"
            raise ValueError(msg)
        return value

    @property
    def shift_seconds(self) -> tuple[int, int]:
        """The shift as seconds since midnight."""
        return clock_to_seconds(self.shift[0]), clock_to_seconds(self.shift[1])


class Attractor(_Strict):
    """A place that draws trips (clinic, supermarket, station...)."""

    name: str
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    weight: float = Field(default=1.0, gt=0)
    purpose: str | None = None


class PopulationCell(_Strict):
    """One cell of a population grid: people living around a point."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    population: float = Field(ge=0)


class DemandConfig(_Strict):
    """Who travels when and where; every draw is seeded."""

    requests: int = Field(ge=0, le=100_000)
    seed: int = 1
    prebooked_share: float = Field(default=0.3, ge=0, le=1)
    wheelchair_share: float = Field(default=0.05, ge=0, le=1)
    profile: Literal["rural-elderly", "flat"] = "rural-elderly"
    attractors: tuple[Attractor, ...] = ()
    population_grid: tuple[PopulationCell, ...] | str | None = None
    group_share: float = Field(default=0.1, ge=0, le=1)
    exact_count: bool = False
    # Stop-based service: riders walk from home to the nearest meeting point within
    # walk_max_m ("intersections" uses road junctions); wheelchair riders stay door-to-door.
    meeting_points: Literal["intersections"] | tuple[LatLon, ...] | None = None
    walk_max_m: float = Field(default=300, gt=0, le=3000)
    # Shares of riders holding each eligibility flag (door_to_door, registered_elderly...),
    # drawn on a stream of their own; the service file's meeting_points section says which
    # flags get the door. Wheelchair riders hold needs_wheelchair.
    rider_flags: dict[str, float] = {}

    @field_validator("rider_flags")
    @classmethod
    def _known_flags(cls, value: dict[str, float]) -> dict[str, float]:
        for flag, share in value.items():
            if flag not in RIDER_FLAGS:
                msg = f"unknown rider flag {flag!r} (known: {', '.join(sorted(RIDER_FLAGS))})"
                raise ValueError(msg)
            if not 0 <= share <= 1:
                msg = f"{flag}: a share between 0 and 1, not {share}"
                raise ValueError(msg)
        return value


class PolicyConfig(_Strict):
    """The promises the service makes."""

    max_wait_minutes: float = Field(default=20, gt=0, le=240)
    max_detour_factor: float = Field(default=2.0, ge=1.0, le=10)
    pickup_window_minutes: float = Field(default=10, gt=0, le=120)
    ride_time_base_minutes: float = Field(default=10, ge=0, le=120)
    no_show_wait_minutes: float = Field(default=3, ge=0, le=30)
    prebook_cutoff: str = "06:00"
    reoptimise_every_minutes: float | None = Field(default=None, gt=0)
    # Solver time limits are safety caps: the dispatcher's deterministic search stops by
    # itself (counted iterations), so a cap that bites makes a day depend on machine load.
    reoptimise_solver_seconds: float = Field(default=10.0, gt=0, le=60)
    # Search steps per re-optimisation round (the dispatcher's default 150; none: the
    # solver's 3000); fewer is faster.
    reoptimise_iterations: int | None = Field(default=150, ge=10, le=100_000)
    # Refusal rescue: search steps of the solve that places an ask no insertion fits
    # (0 or none: off; solver.dispatch.rescue).
    rescue_iterations: int | None = Field(default=100, ge=0, le=100_000)
    prebook_solver_seconds: float = Field(default=30.0, ge=0, le=600)
    # Plan every drive this share longer than the road model says: slack for slow roads and
    # slow drivers. 0.2 (about two deviations of the default 10 % noise) kept the most
    # promises per day at hardly any cost in riders served (docs/benchmarks.md, issue 6).
    travel_time_margin: float = Field(default=0.2, ge=0, le=1)

    @field_validator("prebook_cutoff")
    @classmethod
    def _cutoff_is_clock(cls, value: str) -> str:
        clock_to_seconds(value)
        return value

    @field_validator("rescue_iterations")
    @classmethod
    def _enough_steps(cls, value: int | None) -> int | None:
        return checked_rescue_iterations(value)


class SimulationConfig(_Strict):
    """How the real day deviates from the plan."""

    travel_time_noise: float = Field(default=0.1, ge=0, le=1)
    no_show_rate: float = Field(default=0.03, ge=0, le=1)
    cancel_rate: float = Field(default=0.03, ge=0, le=1)
    decline_rate: float = Field(default=0.05, ge=0, le=1)
    immediate_lead_minutes: tuple[float, float] = (5, 45)
    asap_share: float = Field(default=0.4, ge=0, le=1)
    tick_minutes: float = Field(default=10, ge=1, le=120)
    # Riders flagged as living alone or elderly (their no-show alerts the operator).
    welfare_share: float = Field(default=0.0, ge=0, le=1)


class RegisteredConfig(_Strict):
    """Registered riders living in the hazard zones (synthesised from the demand model's
    homes, seeded): how many, and what share needs help (living alone, a wheelchair)."""

    count: int = Field(default=30, ge=0, le=10_000)
    needs_help_share: float = Field(default=0.3, ge=0, le=1)
    wheelchair_share: float = Field(default=0.1, ge=0, le=1)
    seed: int = 1


class DisasterConfig(_Strict):
    """A flood or landslide during the day (issue 16): at ``at`` every road touching one of
    ``areas`` (rings of [lon, lat]) closes; with ``evacuate`` the fleet takes the registered
    riders of ``hazard_zones`` (names from the service file; default all) to its shelters
    and ordinary bookings pause until ``ends_at`` (never, if absent)."""

    at: str
    name: str = "flood"
    areas: tuple[tuple[tuple[float, float], ...], ...] = Field(min_length=1)
    evacuate: bool = True
    hazard_zones: tuple[str, ...] | None = None
    ends_at: str | None = None
    registered: RegisteredConfig = RegisteredConfig()

    @field_validator("at", "ends_at")
    @classmethod
    def _clock(cls, value: str | None) -> str | None:
        if value is not None:
            clock_to_seconds(value)
        return value

    @field_validator("areas")
    @classmethod
    def _rings(cls, value: tuple[tuple[tuple[float, float], ...], ...]
               ) -> tuple[tuple[tuple[float, float], ...], ...]:
        for i, ring in enumerate(value):
            if len(ring) < 3:
                msg = f"area {i} needs at least 3 points [lon, lat]"
                raise ValueError(msg)
            if any(not (-180 <= lon <= 180 and -90 <= lat <= 90) for lon, lat in ring):
                msg = f"area {i}: points are [lon, lat] in degrees"
                raise ValueError(msg)
        return value

    @model_validator(mode="after")
    def _ends_after(self) -> DisasterConfig:
        if self.ends_at is not None and clock_to_seconds(self.ends_at) <= clock_to_seconds(
                self.at):
            msg = f"disaster.ends_at: {self.ends_at} is not after {self.at}"
            raise ValueError(msg)
        return self


class TrainDelaysConfig(_Strict):
    """Late trains (issue 15): a seeded ``share`` of the arriving trains the day's riders
    come off runs late by a delay drawn evenly from ``minutes``. ``announced``: the operator
    reports each delay ``announce_minutes_before`` the scheduled arrival (the dispatcher
    moves the waiting rides, as ``POST /v1/transit/delays`` does); false: nobody tells the
    dispatcher, and the van meets the train on time (the baseline)."""

    share: float = Field(default=0.3, ge=0, le=1)
    minutes: tuple[float, float] = (5.0, 30.0)
    announced: bool = True
    announce_minutes_before: float = Field(default=10.0, ge=0, le=240)
    seed: int = 1

    @model_validator(mode="after")
    def _ordered(self) -> TrainDelaysConfig:
        lo, hi = self.minutes
        if not 0 <= lo <= hi <= 240:
            msg = "minutes: give [low, high] with 0 <= low <= high <= 240"
            raise ValueError(msg)
        return self


class TransitConfig(_Strict):
    """Riders to and from trains at one transfer stop of a GTFS feed (issue 15).

    ``trips`` rides a day on top of the ordinary demand, ``return_share`` of them from an
    arriving train, on the timetable of ``service_date``. ``mode`` ``connect`` books them as
    guaranteed connections; ``arrive_by`` as plain arrive-by rides to the departure minus
    the buffer (and pickups after the arrival plus the buffer): the benchmark's baseline.
    ``delays``: late arriving trains (``TrainDelaysConfig``).
    """

    feed: str
    stop: str
    service_date: Date
    trips: int = Field(default=20, ge=0, le=10_000)
    return_share: float = Field(default=0.4, ge=0, le=1)
    buffer_minutes: float = Field(default=5, ge=0, le=60)
    confidence: float = Field(default=0.95, gt=0.5, lt=1)
    mode: Literal["connect", "arrive_by"] = "connect"
    delays: TrainDelaysConfig | None = None


class ParcelDemandConfig(_Strict):
    """Parcels riding along (貨客混載): how many are handed in, until when (hours after
    opening), their sizes (inclusive ranges), where they come from (shares of post office,
    shop, depot, farm) and how often nobody is home to take one. Handling times, the
    delivery window and where a failed delivery goes back to are the service file's."""

    count: int = Field(default=60, ge=0, le=10_000)
    seed: int = 1
    handed_in_until_hours: float = Field(default=5.0, gt=0, le=24)
    kg: tuple[int, int] = (1, 15)
    litres: tuple[int, int] = (5, 60)
    source_shares: tuple[float, float, float, float] = (0.35, 0.35, 0.15, 0.15)
    not_home_rate: float = Field(default=0.05, ge=0, le=1)

    @field_validator("kg", "litres")
    @classmethod
    def _range(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] < 0 or value[1] < value[0] or value[1] < 1:
            msg = "give [least, most] with 0 <= least <= most and most >= 1"
            raise ValueError(msg)
        return value


class CostConfig(_Strict):
    """A simple operator cost model (in ``currency``) and emissions factor."""

    currency: str = "JPY"
    per_vehicle_hour: float = Field(default=3500, ge=0)
    per_km: float = Field(default=25, ge=0)
    fixed_per_vehicle_day: float = Field(default=4000, ge=0)
    fare: float = Field(default=300, ge=0)
    co2_kg_per_km: float = Field(default=0.2, ge=0)


class Scenario(_Strict):
    """A validated scenario; ``base_dir`` is where relative paths in it are resolved first.

    With ``service`` (a service file) and ``date``, the fleet and the policy come from the
    service file: ``fleet`` is None and ``policy`` unused, see ``service_definition``.
    """

    name: str
    service: str | None = None
    date: Date | None = None
    # A what-if on the service file's meeting points: run them in another mode.
    meeting_mode: Literal["door_to_door", "stop_based", "mixed"] | None = None
    network: NetworkConfig
    fleet: FleetConfig | None = None
    demand: DemandConfig
    policy: PolicyConfig = PolicyConfig()
    simulation: SimulationConfig = SimulationConfig()
    cost: CostConfig = CostConfig()
    disaster: DisasterConfig | None = None
    transit: TransitConfig | None = None
    parcels: ParcelDemandConfig | None = None
    base_dir: Path = Path(".")
    _service: ServiceDefinition | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _fleet_or_service(self) -> Scenario:
        if self.service is None and self.meeting_mode is not None:
            msg = "meeting_mode: only with a service file (service: FILE)"
            raise ValueError(msg)
        if self.service is None:
            if self.fleet is None:
                msg = "fleet: Field required (or name a service file: service: FILE)"
                raise ValueError(msg)
            if self.date is not None:
                msg = "date: only with a service file (service: FILE)"
                raise ValueError(msg)
            if clock_to_seconds(self.policy.prebook_cutoff) > self.fleet.shift_seconds[0]:
                msg = "policy.prebook_cutoff must not be later than the start of the shift"
                raise ValueError(msg)
        return self

    @property
    def service_definition(self) -> ServiceDefinition | None:
        """The loaded service file (None for a scenario with its own fleet and policy)."""
        return self._service

    @property
    def meeting_policy(self) -> MeetingPolicy | None:
        """The service file's meeting-point policy (in ``meeting_mode`` if the scenario
        names one) when it sends riders to meeting points; None otherwise."""
        svc = self._service
        if svc is None:
            return None
        policy = svc.meeting
        if self.meeting_mode is not None:
            policy = replace(policy, mode=self.meeting_mode)
        return policy if policy.uses_points else None

    @property
    def day_span(self) -> tuple[int, int]:
        """When riders travel, in seconds of the day: the service's hours on ``date``, else
        the fleet's shift."""
        svc = self._service
        if svc is not None and self.date is not None:
            hours = svc.hours(self.date)
            assert hours is not None  # parse_scenario checks the date operates
            return hours.earliest, hours.latest
        assert self.fleet is not None
        return self.fleet.shift_seconds

    @property
    def prebook_cutoff_seconds(self) -> int:
        """When the prebooked rides are planned as one batch: the service's prior-day deadline
        (negative: the day before), else ``policy.prebook_cutoff``."""
        svc = self._service
        if svc is not None and self.date is not None:
            return to_day_seconds(svc.tz, self.date, svc.booking_deadline(self.date))
        return clock_to_seconds(self.policy.prebook_cutoff)

    def resolve_path(self, name: str) -> Path:
        """A file named in the scenario: beside the scenario file, then under MAAS_DATA_DIR."""
        return resolve_data_path(name, self.base_dir)


def resolve_data_path(name: str, base_dir: Path) -> Path:
    """Find ``name`` relative to ``base_dir``, then ``MAAS_DATA_DIR`` (and its ``osm/``)."""
    try:
        return find_data_file(name, base_dir, origin="scenario")
    except ServiceError as exc:
        raise ScenarioError(str(exc)) from exc


def _field_name(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "(top level)"


def parse_scenario(data: Mapping[str, Any], base_dir: Path, origin: str = "scenario") -> Scenario:
    """Validate a mapping (the parsed YAML) into a ``Scenario``."""
    if not isinstance(data, Mapping):
        msg = f"{origin}: expected a mapping of sections, got {type(data).__name__}"
        raise ScenarioError(msg)
    if "base_dir" in data:
        msg = f"{origin}: base_dir: not a scenario field"
        raise ScenarioError(msg)
    svc = None
    if data.get("service") is not None:
        svc, data = _with_service(data, base_dir, origin)
    try:
        scenario = Scenario.model_validate({**data, "base_dir": base_dir})
    except ValidationError as exc:
        first = exc.errors()[0]
        text = str(first["msg"]).removeprefix("Value error, ")
        where = _field_name(first["loc"])
        if where == "(top level)" and ": " in text:
            where, text = text.split(": ", 1)  # a model check naming its own field
        msg = f"{origin}: {where}: {text}"
        raise ScenarioError(msg) from exc
    scenario._service = svc
    if svc is not None and scenario.demand.meeting_points is not None \
            and scenario.meeting_policy is not None:
        msg = (f"{origin}: demand.meeting_points: the service file {svc.origin} has its "
               "own meeting points (meeting_points section); remove one of them")
        raise ScenarioError(msg)
    if scenario.meeting_mode not in (None, "door_to_door") and svc is not None \
            and not (svc.meeting.points or svc.meeting.from_gtfs or svc.meeting.gtfs_stops):
        msg = (f"{origin}: meeting_mode: the service file {svc.origin} lists no meeting "
               "points (meeting_points.points)")
        raise ScenarioError(msg)
    _check_disaster(scenario, origin)
    return scenario


def _check_disaster(scenario: Scenario, origin: str) -> None:
    """An evacuation needs the service file's shelters and names its hazard zones."""
    d = scenario.disaster
    if d is None or not d.evacuate:
        return
    svc = scenario.service_definition
    if svc is None or not svc.emergency.shelters:
        msg = f"{origin}: disaster.evacuate: needs a service file with shelters (service: FILE)"
        raise ScenarioError(msg)
    known = {z.name for z in svc.emergency.hazard_zones}
    unknown = sorted(set(d.hazard_zones or ()) - known)
    if unknown:
        msg = (f"{origin}: disaster.hazard_zones: unknown {unknown} (the service file has "
               f"{sorted(known) or 'none'})")
        raise ScenarioError(msg)


def _with_service(
    data: Mapping[str, Any], base_dir: Path, origin: str
) -> tuple[ServiceDefinition, dict[str, Any]]:
    """Load the named service file and fill the scenario's network and fares from it."""

    def fail(where: str, why: str) -> ScenarioError:
        return ScenarioError(f"{origin}: {where}: {why}")

    name = data["service"]
    if not isinstance(name, str):
        raise fail("service", "expected the path of a service file")
    for section in ("fleet", "policy"):
        if section in data:
            raise fail(section, f"comes from the service file ({name}); remove this section")
    try:
        svc = load_service(resolve_data_path(name, base_dir))
    except InvalidInput as exc:
        raise fail("service", str(exc)) from exc
    day = data.get("date")
    if not isinstance(day, Date):
        raise fail("date", "required with a service file: the service day to simulate "
                           "(YYYY-MM-DD)")
    if not svc.is_operating(day):
        nxt = svc.next_operating_day(day)
        raise fail("date", f"{day} is not an operating day of {svc.origin} "
                           f"({svc.closed_reason(day)}); the next one is {nxt}")
    network = data.get("network") or {}
    if not isinstance(network, Mapping) or set(network) - {"winter"}:
        raise fail("network", f"comes from the service file ({name}); a scenario may only "
                              "set network.winter")
    n = svc.network
    source = n.source
    if source != "demo" and not source.startswith("place:"):
        source = str(svc.resolve_path(source))
    area: Any = n.service_area
    if isinstance(area, str):
        area = str(svc.resolve_path(area))
    elif area is not None:
        area = list(area)
    filled = dict(data)
    filled["network"] = {"source": source, "service_area": area,
                         "winter": network.get("winter", n.winter)}
    filled["cost"] = {"fare": svc.fares.adult, "currency": svc.fares.currency,
                      **(data.get("cost") or {})}
    return svc, filled


def read_scenario_data(path: Path) -> dict[str, Any]:
    """The raw mapping of a scenario YAML file."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        msg = f"cannot read scenario {path}: {exc.strerror or exc}"
        raise ScenarioError(msg) from exc
    except yaml.YAMLError as exc:
        msg = f"scenario {path} is not valid YAML: {exc}".replace("\n", " ")
        raise ScenarioError(msg) from exc
    if not isinstance(data, dict):
        msg = f"scenario {path}: expected a mapping of sections"
        raise ScenarioError(msg)
    return data


def load_scenario(path: str | Path, overrides: Mapping[str, Any] | None = None) -> Scenario:
    """Read, override (``{"fleet.vehicles": 3}``) and validate a scenario file."""
    path = Path(path)
    data = read_scenario_data(path)
    if overrides:
        data = apply_overrides(data, overrides)
    return parse_scenario(data, path.resolve().parent, origin=str(path))


def apply_overrides(data: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``data`` with dotted keys (``policy.max_wait_minutes``) set."""
    result: dict[str, Any] = copy.deepcopy(dict(data))
    for dotted, value in overrides.items():
        keys = dotted.split(".")
        node = result
        for key in keys[:-1]:
            child = node.setdefault(key, {})
            if not isinstance(child, dict):
                msg = f"--set {dotted}: {key} is not a section"
                raise ScenarioError(msg)
            node = child
        node[keys[-1]] = value
    return result
