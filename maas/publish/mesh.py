"""Japanese standard grid squares (地域メッシュ, JIS X 0410): codes from a point and back.

A first-level square (第1次地域区画, about 80 km) is 40' of latitude by 1 degree of
longitude, coded ``pp uu`` = floor(lat x 1.5), floor(lon - 100). It splits 8 x 8 into
second-level squares (5' x 7'30", about 10 km; digits ``q r``), each 10 x 10 into
third-level squares (30" x 45", about 1 km, 基準地域メッシュ; digits ``s t``), each 2 x 2
into half squares (15" x 22.5", about 500 m, 2分の1地域メッシュ; one digit, 1 = south-west,
2 = south-east, 3 = north-west, 4 = north-east).

Exact arithmetic: a point is counted in 500 m rows and columns once, then every level's
digits are integer divisions of that count (no float drift between levels).
"""

from __future__ import annotations

import math
from typing import Final, Literal

from maas.errors import InvalidInput

MeshLevel = Literal["10km", "1km", "500m"]
LEVELS: Final[tuple[MeshLevel, ...]] = ("500m", "1km", "10km")
CODE_LENGTH: Final[dict[MeshLevel, int]] = {"10km": 6, "1km": 8, "500m": 9}
_ROWS_PER_DEGREE: Final = 240  # 500 m rows per degree of latitude (15")
_COLS_PER_DEGREE: Final = 160  # 500 m columns per degree of longitude (22.5")


class MeshError(InvalidInput):
    """A point outside the mesh's range, or a malformed mesh code."""

    code = "bad_mesh"


def _index(lat: float, lon: float) -> tuple[int, int]:
    if not (math.isfinite(lat) and math.isfinite(lon) and 0 <= lat < 66.66 and 100 <= lon < 180):
        msg = f"({lat}, {lon}) is outside the JIS X 0410 grid (lat 0-66.66, lon 100-180)"
        raise MeshError(msg)
    # round() first: 35.7 x 240 must give 8568, not 8567.999...
    return (math.floor(round(lat * _ROWS_PER_DEGREE, 9)),
            math.floor(round((lon - 100) * _COLS_PER_DEGREE, 9)))


def mesh_code(lat: float, lon: float, level: MeshLevel = "1km") -> str:
    """The code of the square holding the point (``"53394547"`` for 1 km in Tokyo)."""
    i, j = _index(lat, lon)
    p, u = i // 160, j // 160
    q, r = (i % 160) // 20, (j % 160) // 20
    code = f"{p:02d}{u:02d}{q}{r}"
    if level == "10km":
        return code
    s, t = (i % 20) // 2, (j % 20) // 2
    code += f"{s}{t}"
    if level == "1km":
        return code
    if level == "500m":
        return code + str((i % 2) * 2 + (j % 2) + 1)
    msg = f"level: {level!r} is not one of {', '.join(LEVELS)}"
    raise MeshError(msg)


def level_of(code: str) -> MeshLevel:
    """The level of a code by its length."""
    for level, n in CODE_LENGTH.items():
        if len(code) == n and code.isdigit():
            return level
    msg = f"mesh code {code!r} is not a 6-, 8- or 9-digit JIS X 0410 code"
    raise MeshError(msg)


def parent(code: str) -> str:
    """The code one level coarser (500 m -> 1 km -> 10 km)."""
    level = level_of(code)
    if level == "10km":
        msg = f"mesh code {code!r}: a 10 km square has no coarser level here"
        raise MeshError(msg)
    return code[:8] if level == "500m" else code[:6]


def coarser(level: MeshLevel) -> MeshLevel | None:
    """The next coarser level, or None for 10 km."""
    i = LEVELS.index(level)
    return LEVELS[i + 1] if i + 1 < len(LEVELS) else None


def bounds(code: str) -> tuple[float, float, float, float]:
    """``(south, west, north, east)`` in degrees of the square ``code``."""
    level = level_of(code)
    i, j = int(code[0:2]) * 160 + int(code[4]) * 20, int(code[2:4]) * 160 + int(code[5]) * 20
    rows = cols = 20
    if level != "10km":
        i, j, rows, cols = i + int(code[6]) * 2, j + int(code[7]) * 2, 2, 2
        if level == "500m":
            digit = int(code[8])
            if not 1 <= digit <= 4:
                msg = f"mesh code {code!r}: the 500 m digit must be 1-4"
                raise MeshError(msg)
            i, j, rows, cols = i + (digit - 1) // 2, j + (digit - 1) % 2, 1, 1
    if int(code[4]) > 7 or int(code[5]) > 7:
        msg = f"mesh code {code!r}: second-level digits must be 0-7"
        raise MeshError(msg)
    south, west = i / _ROWS_PER_DEGREE, 100 + j / _COLS_PER_DEGREE
    return south, west, south + rows / _ROWS_PER_DEGREE, west + cols / _COLS_PER_DEGREE


def centre(code: str) -> tuple[float, float]:
    """``(lat, lon)`` of the square's centre."""
    s, w, n, e = bounds(code)
    return (s + n) / 2, (w + e) / 2
