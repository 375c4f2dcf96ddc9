"""Readers for benchmark instance files: Cordeau DARP (2006 and 2003 "pr") and Li & Lim PDPTW.

The only place that parses these formats; malformed files raise ``InstanceFormatError``
naming the file, the line and what was expected.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from maas.errors import InstanceFormatError


@dataclass(frozen=True, slots=True)
class DarpNode:
    """One line of a Cordeau file: a depot, pickup or delivery node."""

    id: int
    x: float
    y: float
    service: float
    load: int
    earliest: float
    latest: float


@dataclass(frozen=True, slots=True)
class DarpInstance:
    """A Cordeau dial-a-ride instance: node 0 the start depot, 1..n pickups, n+i the
    delivery of pickup i, 2n+1 the end depot (a copy of node 0 for the "pr" variant)."""

    name: str
    vehicles: int
    requests: int
    max_duration: float
    capacity: int
    max_ride: float
    nodes: tuple[DarpNode, ...]


@dataclass(frozen=True, slots=True)
class PdptwNode:
    """One line of a Li & Lim file."""

    id: int
    x: float
    y: float
    demand: int
    earliest: float
    latest: float
    service: float
    pickup: int
    delivery: int


@dataclass(frozen=True, slots=True)
class PdptwInstance:
    """A Li & Lim instance: node 0 the depot; pickups name their delivery and vice versa."""

    name: str
    vehicles: int
    capacity: int
    speed: float
    nodes: tuple[PdptwNode, ...]

    def pairs(self) -> list[tuple[int, int]]:
        """(pickup, delivery) node ids in file order."""
        return [(n.id, n.delivery) for n in self.nodes[1:] if n.delivery > 0]


def _lines(path: Path) -> list[tuple[int, list[str]]]:
    try:
        text = Path(path).read_text()
    except OSError as exc:
        msg = f"{path}: cannot read instance file ({exc.strerror})"
        raise InstanceFormatError(msg) from exc
    rows = [(k, line.split()) for k, line in enumerate(text.splitlines(), start=1)]
    rows = [(k, f) for k, f in rows if f]
    if not rows:
        msg = f"{path}: empty instance file"
        raise InstanceFormatError(msg)
    return rows


def _numbers(path: Path, line: int, fields: list[str], count: int, what: str) -> list[float]:
    if len(fields) < count:
        msg = f"{path}:{line}: expected {count} fields ({what}), found {len(fields)}"
        raise InstanceFormatError(msg)
    try:
        return [float(f) for f in fields[:count]]
    except ValueError as exc:
        msg = f"{path}:{line}: non-numeric field in {fields[:count]} ({what})"
        raise InstanceFormatError(msg) from exc


def read_cordeau(path: str | Path) -> DarpInstance:
    """Read a Cordeau DARP file; the variant is told by the number of node lines.

    2006 ("a"/"b" instances): header ``K N T Q L`` with N requests and 2N+2 node lines.
    2003 ("pr" instances): header ``K 2N T Q L`` (nodes) and 2N+1 node lines, no end depot.
    """
    path = Path(path)
    rows = _lines(path)
    header_line, header = rows[0]
    k, count, t, q, ride = _numbers(path, header_line, header, 5, "K N T Q L")
    node_rows = rows[1:]
    if count != int(count) or count <= 0 or k <= 0:
        msg = f"{path}:{header_line}: vehicle and request counts must be positive integers"
        raise InstanceFormatError(msg)
    n_field = int(count)
    if len(node_rows) >= 2 * n_field + 2:
        n, has_end = n_field, True
    elif n_field % 2 == 0 and len(node_rows) >= n_field + 1:
        n, has_end = n_field // 2, False
    else:
        msg = (f"{path}: header announces {n_field} requests (or nodes) but the file has "
               f"{len(node_rows)} node lines")
        raise InstanceFormatError(msg)
    wanted = 2 * n + (2 if has_end else 1)
    nodes: list[DarpNode] = []
    for line, fields in node_rows[:wanted]:
        i, x, y, svc, load, e, late = _numbers(path, line, fields, 7, "id x y d q e l")
        if i != len(nodes):
            msg = f"{path}:{line}: expected node {len(nodes)}, found {fields[0]}"
            raise InstanceFormatError(msg)
        if late < e:
            msg = f"{path}:{line}: time window [{e}, {late}] ends before it starts"
            raise InstanceFormatError(msg)
        nodes.append(DarpNode(int(i), x, y, svc, int(load), e, late))
    if not has_end:
        d = nodes[0]
        nodes.append(DarpNode(2 * n + 1, d.x, d.y, d.service, d.load, d.earliest, d.latest))
    return DarpInstance(path.stem, int(k), n, t, int(q), ride, tuple(nodes))


def read_lilim(path: str | Path) -> PdptwInstance:
    """Read a Li & Lim PDPTW file (``K Q speed``, then one line per node)."""
    path = Path(path)
    rows = _lines(path)
    header_line, header = rows[0]
    k, q, speed = _numbers(path, header_line, header, 3, "vehicles capacity speed")
    nodes: list[PdptwNode] = []
    for line, fields in rows[1:]:
        i, x, y, dem, e, late, svc, p, d = _numbers(
            path, line, fields, 9, "id x y demand earliest latest service pickup delivery")
        if i != len(nodes):
            msg = f"{path}:{line}: expected node {len(nodes)}, found {fields[0]}"
            raise InstanceFormatError(msg)
        nodes.append(PdptwNode(int(i), x, y, int(dem), e, late, svc, int(p), int(d)))
    if len(nodes) < 3:
        msg = f"{path}: no pickup and delivery nodes after the depot"
        raise InstanceFormatError(msg)
    for node in nodes[1:]:
        partner = node.delivery if node.delivery > 0 else node.pickup
        if not 0 < partner < len(nodes):
            msg = f"{path}: node {node.id} names partner {partner}, which does not exist"
            raise InstanceFormatError(msg)
    return PdptwInstance(path.stem, int(k), int(q), speed, tuple(nodes))
