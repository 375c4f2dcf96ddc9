"""Addresses of an OSM extract (``addr:*`` tags on nodes and ways), for the gazetteer.

Japanese OSM addresses are tagged in parts: ``addr:province`` (県/道), ``addr:city`` (市町村),
``addr:quarter`` (大字・町), ``addr:neighbourhood`` (字・丁目), ``addr:block_number`` (番地)
and ``addr:housenumber`` (号); some objects carry ``addr:full`` instead. Elsewhere an address
is ``addr:street`` + ``addr:housenumber``. One entry per tagged object finer than a city: its
written address (``富山市婦中町速星754``, ``桜町1丁目5-20``, ``Hauptstraße 3, Bayreuth``) and
the object's own name after it when it has one, at the node (a way: the mean of its nodes).

Coverage is what mappers entered: in rural Japan a handful of public buildings, rarely a
house. An extract holding only roads (such as ``toyama.osm.bz2``) has none.
"""

from __future__ import annotations

from pathlib import Path
from typing import cast

#: The keys an object needs one of to be an address finer than a city.
FINE_KEYS = ("addr:full", "addr:housenumber", "addr:block_number", "addr:neighbourhood",
             "addr:quarter", "addr:street", "addr:place")

Bounds = tuple[float, float, float, float]  # min_lon, min_lat, max_lon, max_lat


def address_label(tags: dict[str, str]) -> str | None:
    """The written address of an object's ``addr:*`` tags, None when none is finer than a
    city. Japanese parts are written from the city down, the block and house numbers
    joined by a dash; a street address as ``street number, city``."""
    if not any(tags.get(k) for k in FINE_KEYS):
        return None
    name = tags.get("name")
    full = tags.get("addr:full")
    if full:
        label = full
    elif tags.get("addr:street") and not (tags.get("addr:quarter")
                                          or tags.get("addr:neighbourhood")):
        label = " ".join(x for x in (tags["addr:street"], tags.get("addr:housenumber")) if x)
        if tags.get("addr:city"):
            label += f", {tags['addr:city']}"
    else:
        area = "".join(tags.get(k, "") for k in ("addr:city", "addr:quarter",
                                                  "addr:neighbourhood", "addr:place"))
        number = "-".join(x for x in (tags.get("addr:block_number"),
                                      tags.get("addr:housenumber")) if x)
        label = area + number
    if not label:
        return None
    return f"{label}（{name}）" if name else label


def read_addresses(path: Path, fmt: str, bounds: Bounds | None = None
                   ) -> list[tuple[str, float, float]]:
    """``(address, lat, lon)`` of every addressed node and way of an OSM file (pyosmium
    format ``fmt``) inside ``bounds``, in file order, each address once."""
    import osmium

    out: dict[str, tuple[str, float, float]] = {}
    processor = (
        osmium.FileProcessor(osmium.io.File(str(path), fmt), osmium.osm.NODE | osmium.osm.WAY)
        .with_locations()
        .with_filter(osmium.filter.KeyFilter(*FINE_KEYS))
    )
    for entity in processor:
        tags = {t.k: t.v for t in entity.tags}
        label = address_label(tags)
        if label is None or label in out:
            continue
        if isinstance(entity, osmium.osm.Node):
            loc = entity.location
            if not loc.valid():
                continue
            lon, lat = loc.lon, loc.lat
        else:
            way = cast(osmium.osm.Way, entity)
            points = [(n.location.lon, n.location.lat) for n in way.nodes
                      if n.location.valid()]
            if not points:
                continue
            lon = sum(p[0] for p in points) / len(points)
            lat = sum(p[1] for p in points) / len(points)
        if bounds is not None and not (bounds[0] <= lon <= bounds[2]
                                       and bounds[1] <= lat <= bounds[3]):
            continue
        out[label] = (label, float(lat), float(lon))
    return list(out.values())
