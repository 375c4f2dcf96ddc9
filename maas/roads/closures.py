"""Road closures: a set of edges, or a line or polygon that blocks every edge it touches."""

from __future__ import annotations

from dataclasses import dataclass, field

from shapely.geometry.base import BaseGeometry

from maas.errors import InvalidInput

_GEOMETRY_TYPES = frozenset({"LineString", "MultiLineString", "Polygon", "MultiPolygon"})


@dataclass(frozen=True)
class Closure:
    """A closed stretch of road, by id.

    ``geometry`` (longitude/latitude, shapely): a ``LineString`` closes every edge it crosses
    or touches (a barrier drawn across roads, or along one); a ``Polygon`` closes every edge
    inside or crossing it (a flooded area). ``edges`` closes the given directed edges
    ``(u, v, key)`` exactly (name both directions to close a two-way road). The two combine.
    """

    id: str
    geometry: BaseGeometry | None = None
    edges: frozenset[tuple[int, int, int]] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if self.geometry is not None and self.geometry.geom_type not in _GEOMETRY_TYPES:
            msg = (
                f"closure {self.id!r}: geometry must be a (Multi)LineString or (Multi)Polygon, "
                f"not {self.geometry.geom_type}"
            )
            raise InvalidInput(msg)
        if self.geometry is None and not self.edges:
            msg = f"closure {self.id!r}: give a geometry or edges"
            raise InvalidInput(msg)
        object.__setattr__(self, "edges", frozenset(tuple(e) for e in self.edges))
