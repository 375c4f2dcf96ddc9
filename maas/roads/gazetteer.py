"""The town's named places for address entry without internet: a small gazetteer.

Entries come from what the service already holds offline: the service file's named places,
the network's named places and hamlets, the names of its roads (street names, hamlet
roads, housing estates: 南一条通, 奥沢線, 清水団地; each placed at the road's node nearest
its middle) and, for a network loaded from an OSM file, the file's ``addr:*`` addresses
(``maas.roads.addresses``: as many as mappers entered; the synthetic demo town has none, so
there an address is found by its road or district name only). A search matches the
normalised query (NFKC, case-folded, spaces dropped) against each name: exact matches first,
then names starting with it, then names holding it; at equal strength Japanese names come
before romaji, then places before hamlets before roads before addresses, then shorter names.
The object is built once by its owner (the API's runtime, from the loaded network); it holds
no hidden cache.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

from maas.roads.network import RoadNetwork

Kind = Literal["place", "hamlet", "road", "address"]
_KIND_ORDER: dict[str, int] = {"place": 0, "hamlet": 1, "road": 2, "address": 3}
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uff66-\uff9f]")


@dataclass(frozen=True, slots=True)
class NamedPlace:
    """A name and where it is (degrees)."""

    name: str
    lat: float
    lon: float
    kind: Kind

    @property
    def japanese(self) -> bool:
        return _JAPANESE.search(self.name) is not None


def normalise(text: str) -> str:
    """What names and queries are compared as (full-width digits and letters folded)."""
    return re.sub(r"[\s\u3000_・-]+", "", unicodedata.normalize("NFKC", text).casefold())


class Gazetteer:
    """Named places searchable by (part of) their name."""

    def __init__(self, entries: Iterable[NamedPlace]) -> None:
        seen: dict[tuple[str, Kind], NamedPlace] = {}
        for e in entries:
            seen.setdefault((e.name, e.kind), e)  # the first source of a name wins
        self.entries = tuple(seen.values())
        self._keys = tuple(normalise(e.name) for e in self.entries)

    @classmethod
    def of(cls, places: Mapping[str, tuple[float, float]], network: RoadNetwork
           ) -> Gazetteer:
        """From named places (``name -> (lat, lon)``, e.g. the service file's) and the
        network's own places, hamlets and road names."""
        graph = network.graph.graph
        entries = [NamedPlace(n, lat, lon, "place") for n, (lat, lon) in places.items()]
        entries += [NamedPlace(n, float(lat), float(lon), "place")
                    for n, (lat, lon) in (graph.get("places") or {}).items()]
        entries += [NamedPlace(n, float(lat), float(lon), "hamlet")
                    for n, (lat, lon) in (graph.get("hamlets") or {}).items()]
        entries += road_names(network)
        entries += [NamedPlace(label, float(lat), float(lon), "address")
                    for label, lat, lon in (graph.get("addresses") or [])]
        return cls(entries)

    def search(self, query: str, limit: int = 20) -> list[NamedPlace]:
        """The best matches of ``query`` (see the module docstring for the order)."""
        q = normalise(query)
        if not q:
            return []
        ranked = []
        for entry, key in zip(self.entries, self._keys, strict=True):
            if key == q:
                strength = 0
            elif key.startswith(q):
                strength = 1
            elif q in key:
                strength = 2
            else:
                continue
            ranked.append(((strength, not entry.japanese, _KIND_ORDER[entry.kind],
                            len(entry.name), entry.name), entry))
        ranked.sort(key=lambda pair: pair[0])
        return [entry for _, entry in ranked[:limit]]


def road_names(network: RoadNetwork) -> list[NamedPlace]:
    """One entry per road name: at the named road's node nearest the mean of its nodes."""
    nodes_of: dict[str, set[int]] = {}
    for u, v, data in network.graph.edges(data=True):
        names = data.get("name")
        for name in names if isinstance(names, list) else [names]:
            if isinstance(name, str) and name:
                nodes_of.setdefault(name, set()).update((u, v))
    out = []
    for name, nodes in sorted(nodes_of.items()):
        ids = sorted(nodes)
        lat = np.array([network.graph.nodes[n]["y"] for n in ids], dtype=float)
        lon = np.array([network.graph.nodes[n]["x"] for n in ids], dtype=float)
        shrink = np.cos(np.radians(lat.mean()))  # a degree of longitude is shorter up north
        i = int(np.argmin((lat - lat.mean()) ** 2 + ((lon - lon.mean()) * shrink) ** 2))
        out.append(NamedPlace(name, float(lat[i]), float(lon[i]), "road"))
    return out
