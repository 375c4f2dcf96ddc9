"""Service definitions: one area's calendar, hours, booking rules, dispatch policy, fares and
fleet roster, read from a service file; one model for the live service and the simulator."""

from maas.service.booking_rules import (
    BookingCheck,
    BookingRefusal,
    BookingRules,
    check_booking,
    next_bookable,
    service_day_of,
)
from maas.service.calendar import Calendar, DayType, HolidayCalendar, Hours
from maas.service.clock import clock_to_seconds, from_day_seconds, to_day_seconds
from maas.service.definition import NetworkSpec, ServiceDefinition, TransitSpec
from maas.service.errors import ServiceError
from maas.service.fares import Fares
from maas.service.file import SCHEMA_VERSION, load_service, parse_service
from maas.service.parcels import ParcelRules
from maas.service.places import Zone
from maas.service.policy import PolicySpec
from maas.service.roster import (
    BreakSpec,
    CargoSpec,
    Fleet,
    Point,
    RosterOverride,
    ShiftSpec,
    VanSpec,
)

__all__ = [
    "SCHEMA_VERSION",
    "BookingCheck",
    "BookingRefusal",
    "BookingRules",
    "BreakSpec",
    "Calendar",
    "CargoSpec",
    "DayType",
    "Fares",
    "Fleet",
    "HolidayCalendar",
    "Hours",
    "NetworkSpec",
    "ParcelRules",
    "Point",
    "PolicySpec",
    "RosterOverride",
    "ServiceDefinition",
    "ServiceError",
    "ShiftSpec",
    "TransitSpec",
    "VanSpec",
    "Zone",
    "check_booking",
    "clock_to_seconds",
    "from_day_seconds",
    "load_service",
    "next_bookable",
    "parse_service",
    "service_day_of",
    "to_day_seconds",
]
