"""The winter profile: snow and ice slow every road, and some roads close for the season.

Speeds. Hokkaido plows trunk roads first; minor and municipal roads stay packed with snow,
and speeds there drop by a third or more. The profile multiplies each road segment's summer
travel time by a factor per ``highway`` class; factors below 1 are refused, so winter never
makes a trip faster.

Seasonal closures (冬期通行止め). Mountain passes and forest roads close for the whole
season. A way is closed on the days its OSM tags forbid a van, read as follows:

* ``motorcar:conditional``, ``motor_vehicle:conditional``, ``vehicle:conditional`` and
  ``access:conditional`` with a date condition, e.g. ``no @ (Dec-Mar)``,
  ``no @ (Nov 15-Apr 30)``, ``no @ (Dec 1-Mar 31, Apr)``, ``no @ winter`` (the profile's
  months). Several rules (``no @ (Dec-Mar); destination @ (Apr)``) apply left to right, the
  last matching one wins; the most specific key that decides a day wins, as for the plain
  tags (``motor_vehicle=yes`` beats ``access:conditional=no @ ...``). A plain ``no`` with a
  conditional ``yes @ (May-Oct)`` is a road open only in summer: it is kept, closed outside.
* ``seasonal=summer`` (or any list of seasons without winter, e.g. ``spring;summer;autumn``):
  the way exists only outside winter, so it is closed in the profile's months.

Left out on purpose (the way stays open all year): conditions that are not pure dates
(times of day, weekdays, years, ``snow``, ``wet``, ``weight>…``, anything joined by
``AND``), ``:forward``/``:backward`` conditional keys, ``seasonal=yes`` (no season named) and
``seasonal=winter`` (a winter-only road such as an ice road, not a summer-only one).

When the closures apply: with ``winter=True`` every closure whose days touch the profile's
months; with a date, exactly the closures whose days contain that date (a pass closed
``Nov 15-Apr 30`` is closed on 20 November although the speeds are still summer speeds);
with ``winter=False``, none. Seasonal closures add to the operator's closures (``Closure``):
an edge is open only when neither closes it. Days are counted in a leap year (366 days) so
29 February has its own place.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from maas.errors import InvalidInput

#: Travel-time multipliers by ``highway`` class (1.5 = speed cut by a third).
HOKKAIDO_WINTER: Mapping[str, float] = {
    "motorway": 1.15,
    "motorway_link": 1.2,
    "trunk": 1.2,
    "trunk_link": 1.25,
    "primary": 1.25,
    "primary_link": 1.3,
    "secondary": 1.3,
    "secondary_link": 1.35,
    "tertiary": 1.35,
    "tertiary_link": 1.4,
    "unclassified": 1.5,
    "residential": 1.5,
    "living_street": 1.6,
    "service": 1.6,
    "road": 1.5,
}

#: December to March, as the domain primer puts a Hokkaido winter.
WINTER_MONTHS: frozenset[int] = frozenset({12, 1, 2, 3})

DAYS_IN_YEAR = 366  # a leap year: every (month, day) has a place
_LEAP = 2000
_MONTHS = {name.lower(): i for i, name in enumerate(calendar.month_abbr) if name}
_RANGE = re.compile(
    r"^(?P<m1>[a-z]{3})\s*(?P<d1>\d{1,2})?(?:\s*-\s*(?P<m2>[a-z]{3})?\s*(?P<d2>\d{1,2})?)?$"
)


@dataclass(frozen=True)
class WinterProfile:
    """Winter travel-time multipliers by ``highway`` class and the months winter lasts."""

    multipliers: Mapping[str, float] = field(default_factory=lambda: dict(HOKKAIDO_WINTER))
    default_multiplier: float = 1.5
    months: frozenset[int] = WINTER_MONTHS

    def __post_init__(self) -> None:
        bad = [k for k, v in self.multipliers.items() if not v >= 1.0]
        if bad or not self.default_multiplier >= 1.0:
            msg = f"winter multipliers must be >= 1 (winter never speeds a trip up): {bad}"
            raise InvalidInput(msg)
        if not self.months or not set(self.months) <= set(range(1, 13)):
            msg = f"winter months must be a non-empty set of 1..12, not {sorted(self.months)}"
            raise InvalidInput(msg)

    def multiplier(self, highway: str) -> float:
        """Travel-time factor for a road of class ``highway``."""
        return self.multipliers.get(highway, self.default_multiplier)

    def is_winter(self, day: dt.date) -> bool:
        """Whether ``day`` falls in the winter months."""
        return day.month in self.months

    def cache_key(self) -> str:
        """A stable text of every setting (part of the graph cache key)."""
        return (
            f"winter:{sorted(self.multipliers.items())}:{self.default_multiplier}:"
            f"{sorted(self.months)}"
        )


def winter_active(winter: bool | dt.date | None, profile: WinterProfile) -> bool:
    """Resolve a ``winter=`` argument: a flag as given, a date by the profile's months."""
    if winter is None:
        return False
    if isinstance(winter, bool):
        return winter
    if isinstance(winter, dt.date):
        return profile.is_winter(winter)
    msg = f"winter must be a bool or a date, not {winter!r}"
    raise InvalidInput(msg)


# ---------------------------------------------------------------------------- days of a year
def day_of_year(day: dt.date) -> int:
    """Index 0..365 of a date's (month, day) in a leap year."""
    return dt.date(_LEAP, day.month, day.day).timetuple().tm_yday - 1


def month_days(months: Iterable[int]) -> np.ndarray:
    """Boolean mask of the days that fall in ``months``."""
    mask = np.zeros(DAYS_IN_YEAR, dtype=bool)
    for m in months:
        first = day_of_year(dt.date(_LEAP, m, 1))
        mask[first : first + calendar.monthrange(_LEAP, m)[1]] = True
    return mask


def _span(first: dt.date, last: dt.date) -> np.ndarray:
    """Days from ``first`` to ``last`` inclusive, wrapping over New Year."""
    a, b = day_of_year(first), day_of_year(last)
    mask = np.zeros(DAYS_IN_YEAR, dtype=bool)
    if a <= b:
        mask[a : b + 1] = True
    else:
        mask[a:] = True
        mask[: b + 1] = True
    return mask


def _one_range(text: str) -> np.ndarray | None:
    """Days of ``Dec``, ``Dec 24``, ``Dec-Mar``, ``Nov 15-Apr 30``, ``Dec 1-15``, or None."""
    match = _RANGE.match(text.strip().lower())
    if not match:
        return None
    m1, m2 = _MONTHS.get(match["m1"]), _MONTHS.get(match["m2"] or match["m1"])
    if m1 is None or m2 is None:
        return None
    d1 = int(match["d1"]) if match["d1"] else 1
    if match["d2"]:
        d2 = int(match["d2"])
    elif match["m2"] or not match["d1"]:
        d2 = calendar.monthrange(_LEAP, m2)[1]
    else:
        d2 = d1  # one day: "Dec 24"
    try:
        return _span(dt.date(_LEAP, m1, d1), dt.date(_LEAP, m2, d2))
    except ValueError:
        return None  # "Feb 31"


def condition_days(condition: str, winter_months: Iterable[int]) -> np.ndarray | None:
    """The days a conditional-restriction condition covers, or None if it is not a date.

    ``winter`` and ``summer`` are the profile's months and the rest of the year; date
    ranges may be listed with commas. Anything else (times, weekdays, years, weather,
    vehicle properties) gives None: such a rule is not a seasonal closure.
    """
    text = condition.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    word = text.lower()
    if word == "winter":
        return month_days(winter_months)
    if word == "summer":
        return ~month_days(winter_months)
    days = np.zeros(DAYS_IN_YEAR, dtype=bool)
    for part in text.split(","):
        covered = _one_range(part)
        if covered is None:
            return None
        days |= covered
    return days


def parse_conditional(value: str) -> list[tuple[str, str]]:
    """``(value, condition)`` rules of a ``*:conditional`` tag, in order.

    ``"no @ (Dec-Mar); destination @ (Apr)"`` -> ``[("no", "Dec-Mar"), ("destination",
    "Apr")]``. Semicolons inside parentheses belong to the condition; a rule without ``@``
    is skipped.
    """
    rules: list[tuple[str, str]] = []
    depth, start = 0, 0
    parts = []
    for i, ch in enumerate(value):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch == ";" and depth == 0:
            parts.append(value[start:i])
            start = i + 1
    parts.append(value[start:])
    for part in parts:
        restriction, at, condition = part.partition("@")
        if at and restriction.strip() and condition.strip():
            cond = condition.strip()
            if cond.startswith("(") and cond.endswith(")"):
                cond = cond[1:-1].strip()
            rules.append((restriction.strip().lower(), cond))
    return rules


def days_text(days: np.ndarray) -> str:
    """Canonical text of a day mask: ``"11-15..04-30"``, ranges by start, joined by commas."""
    idx = np.nonzero(days)[0]
    if len(idx) == 0:
        return ""
    if len(idx) == DAYS_IN_YEAR:
        return "01-01..12-31"
    # start at a closed day that follows an open one, so a range over New Year stays whole
    first_open = int(np.nonzero(~days)[0][0])
    order = np.roll(np.arange(DAYS_IN_YEAR), -first_open)
    ranges: list[tuple[int, int]] = []
    for i in order:
        if not days[i]:
            continue
        if ranges and ranges[-1][1] == (i - 1) % DAYS_IN_YEAR:
            ranges[-1] = (ranges[-1][0], int(i))
        else:
            ranges.append((int(i), int(i)))

    def md(i: int) -> str:
        day = dt.date(_LEAP, 1, 1) + dt.timedelta(days=i)
        return f"{day.month:02d}-{day.day:02d}"

    return ",".join(f"{md(a)}..{md(b)}" for a, b in sorted(ranges))


def parse_days_text(text: object) -> np.ndarray:
    """The day mask of ``days_text`` output (a list of such texts: their union)."""
    days = np.zeros(DAYS_IN_YEAR, dtype=bool)
    texts = text if isinstance(text, list) else [text]
    for item in texts:
        for part in str(item or "").split(","):
            if not part.strip():
                continue
            try:
                a, b = part.strip().split("..")
                (m1, d1), (m2, d2) = (map(int, a.split("-")), map(int, b.split("-")))
                days |= _span(dt.date(_LEAP, m1, d1), dt.date(_LEAP, m2, d2))
            except ValueError:
                msg = f"not a seasonal closure text: {part!r} (expected MM-DD..MM-DD)"
                raise InvalidInput(msg) from None
    return days
