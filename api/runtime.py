"""The long-lived parts of one running service, built once by ``api.main.create_app``.

``Runtime`` bundles what every use case needs: the settings, the service file, the Redis
store, the road network, the clock, the open days' contexts, the ticker's helper process,
the day archive and the meeting points. None of it is state: the state lives in Redis, and
a restarted process builds the same runtime from the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.archive import DayArchive
from api.clock import Clock, TrainingClock
from api.service_days import ServiceDays
from api.settings import Settings
from api.snap_cache import SnapCache
from api.store import AreaStore
from api.ticker import Ticker
from maas.meeting import MeetingPoints
from maas.roads import RoadNetwork
from maas.roads.gazetteer import Gazetteer
from maas.service import ServiceDefinition
from maas.transit import TransitFeed


@dataclass
class Runtime:
    """What the routers and the background cycle work with (see module docstring)."""

    settings: Settings
    service: ServiceDefinition
    store: AreaStore
    network: RoadNetwork
    clock: Clock
    days: ServiceDays
    snapper: SnapCache
    ticker: Ticker
    archive: DayArchive
    meeting: MeetingPoints  # the service file's meeting points, placed on the network
    places: Gazetteer  # the town's named places, for address entry (GET /v1/places)
    transit: TransitFeed | None = None  # the service file's timetable (``transit:``)

    @property
    def training(self) -> TrainingClock | None:
        """The training clock, if this service runs on one."""
        return self.clock if isinstance(self.clock, TrainingClock) else None
