"""``map.html``: an interactive map that opens with no network at all.

Leaflet (BSD-2, vendored in ``scenarios/assets``) is inlined into the page; there are no
tiles: the map draws the road network itself, then the service area, the depot, the stops
and each van's driven route.
"""

from __future__ import annotations

import html
import json
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from maas.domain import Location
from scenarios.records import SimulationResult, TripStatus

ASSETS = Path(__file__).parent / "assets"
_VAN_COLOURS = ["#e63946", "#1d3557", "#2a9d8f", "#f4a261", "#6a4c93", "#118ab2", "#ef476f",
                "#8338ec", "#06d6a0", "#fb8500", "#3a86ff", "#bc4749"]
_MAJOR = {"motorway", "trunk", "primary", "secondary", "motorway_link", "trunk_link",
          "primary_link", "secondary_link"}

PathFn = Callable[[Location, Location], Sequence[tuple[float, float]]]


def _r(x: float) -> float:
    return round(float(x), 5)


def road_lines(graph: Any) -> dict[str, list[list[list[float]]]]:
    """Road polylines ``[[lat, lon], ...]`` split into major and minor roads (one per edge pair)."""
    seen: set[tuple[Any, Any]] = set()
    lines: dict[str, list[list[list[float]]]] = {"major": [], "minor": []}
    for u, v, data in graph.edges(data=True):
        if (v, u) in seen or (u, v) in seen:
            continue
        seen.add((u, v))
        geometry = data.get("geometry")
        if geometry is not None:
            coords = [[_r(y), _r(x)] for x, y in geometry.coords]
        else:
            a, b = graph.nodes[u], graph.nodes[v]
            coords = [[_r(a["y"]), _r(a["x"])], [_r(b["y"]), _r(b["x"])]]
        highway = data.get("highway")
        classes = set(highway) if isinstance(highway, list) else {highway}
        lines["major" if classes & _MAJOR else "minor"].append(coords)
    return lines


def _straight(a: Location, b: Location) -> Sequence[tuple[float, float]]:
    return [(a.lat, a.lon), (b.lat, b.lon)]


def map_data(
    result: SimulationResult,
    graph: Any,
    service_area: Sequence[Sequence[float]] | None,
    path: PathFn | None = None,
) -> dict[str, Any]:
    """Everything the page draws, as plain JSON-ready data."""
    path = path or _straight
    routes: dict[str, list[list[list[float]]]] = {}
    for leg in result.legs:
        if leg.origin == leg.destination:
            continue
        coords = [[_r(lat), _r(lon)] for lat, lon in path(leg.origin, leg.destination)]
        routes.setdefault(leg.vehicle_id, []).append(coords)
    stops = []
    for t in result.trips:
        stops.append({
            "id": t.request_id, "status": t.status.value, "purpose": t.purpose,
            "o": [_r(t.origin.lat), _r(t.origin.lon)],
            "d": [_r(t.destination.lat), _r(t.destination.lon)],
            "van": t.vehicle_id or "",
            "served": t.status is TripStatus.SERVED,
        })
    roads = road_lines(graph)
    points = [p for lines in roads.values() for line in lines for p in line] or [
        [_r(result.depot.lat), _r(result.depot.lon)]
    ]
    lats, lons = [p[0] for p in points], [p[1] for p in points]
    return {
        "name": result.scenario_name,
        "bounds": [[min(lats), min(lons)], [max(lats), max(lons)]],
        "synthetic": result.synthetic_network,
        "roads": roads,
        "area": [list(map(_r, p)) for p in service_area] if service_area else None,
        "depot": [_r(result.depot.lat), _r(result.depot.lon)],
        "routes": routes,
        "colours": {v: _VAN_COLOURS[i % len(_VAN_COLOURS)]
                    for i, v in enumerate(result.vehicle_ids)},
        "stops": stops,
    }


_SCRIPT = """
const D = JSON.parse(document.getElementById('map-data').textContent);
const map = L.map('map', {preferCanvas: true, zoomSnap: 0.25, attributionControl: false});
map.fitBounds(D.bounds);
const roads = L.layerGroup([
  L.polyline(D.roads.minor, {color: '#9aa0a6', weight: 1}),
  L.polyline(D.roads.major, {color: '#555', weight: 2.5}),
]).addTo(map);
const overlays = {'Roads': roads};
if (D.area) {
  overlays['Service area'] = L.polygon(D.area, {color: '#264653', weight: 2, fill: false,
    dashArray: '6 4'}).addTo(map);
}
for (const [van, lines] of Object.entries(D.routes)) {
  overlays['Route ' + van] = L.polyline(lines, {color: D.colours[van], weight: 3, opacity: 0.7})
    .bindTooltip('van ' + van).addTo(map);
}
const colour = {served: '#2a9d8f', rejected: '#e76f51', cancelled: '#e9c46a', no_show: '#6c757d'};
const pickups = L.layerGroup(), dropoffs = L.layerGroup();
for (const s of D.stops) {
  const text = `${s.id} (${s.purpose}): ${s.status}` + (s.van ? `, van ${s.van}` : '');
  L.circleMarker(s.o, {radius: 4, color: colour[s.status], weight: 1, fillOpacity: 0.9})
    .bindPopup('pickup ' + text).addTo(pickups);
  L.circleMarker(s.d, {radius: 3, color: '#000', fillColor: colour[s.status], weight: 1,
    fillOpacity: 0.6}).bindPopup('drop-off ' + text).addTo(dropoffs);
}
overlays['Pickups'] = pickups.addTo(map);
overlays['Drop-offs'] = dropoffs.addTo(map);
overlays['Depot'] = L.circleMarker(D.depot, {radius: 8, color: '#000', fillColor: '#ffd166',
  weight: 2, fillOpacity: 1}).bindPopup('depot').addTo(map);
L.control.layers(null, overlays, {collapsed: false}).addTo(map);
L.control.scale().addTo(map);
const legend = L.control({position: 'bottomright'});
legend.onAdd = () => {
  const div = L.DomUtil.create('div', 'legend');
  div.innerHTML = Object.entries(colour).map(([k, c]) =>
    `<span style="color:${c}">&#9679;</span> ${k.replace('_', '-')}`).join('<br>') +
    '<br>filled: pickup, ringed: drop-off';
  return div;
};
legend.addTo(map);
"""


def write_map(
    result: SimulationResult,
    graph: Any,
    out: Path,
    service_area: Sequence[Sequence[float]] | None = None,
    path: PathFn | None = None,
) -> Path:
    """Write ``map.html`` with Leaflet and all data inlined (no network needed to view it)."""
    data = json.dumps(map_data(result, graph, service_area, path), separators=(",", ":"))
    data = data.replace("</", "<\\/")  # keep the JSON from closing its script element
    leaflet_js = (ASSETS / "leaflet.js").read_text(encoding="utf-8")
    leaflet_css = (ASSETS / "leaflet.css").read_text(encoding="utf-8")
    title = html.escape(f"Scenario {result.scenario_name}")
    note = ("synthetic town (generated, not a real place)" if result.synthetic_network
            else "roads © OpenStreetMap contributors (ODbL)")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}: map</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>{leaflet_css}</style>
<style>html, body {{ margin: 0; height: 100%; font-family: system-ui, sans-serif; }}
#map {{ position: absolute; top: 2.2em; bottom: 0; width: 100%; background: #f8f9fa; }}
header {{ height: 2.2em; line-height: 2.2em; padding: 0 1em; }}
.legend {{ background: #fff; padding: 6px 8px; font-size: 12px; line-height: 1.4; }}</style>
</head><body>
<header><b>{title}</b>: roads, service area, stops and van routes. {html.escape(note)}.
Leaflet © Volodymyr Agafonkin (BSD-2).</header>
<div id="map"></div>
<script>{leaflet_js}</script>
<script type="application/json" id="map-data">{data}</script>
<script>{_SCRIPT}</script>
</body></html>
"""
    target = out / "map.html"
    target.write_text(page, encoding="utf-8")
    return target
