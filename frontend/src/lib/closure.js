// The body of POST /v1/closures from points drawn on the map (GeoJSON is lon,lat).

export function closureBody(kind, points, until) {
  const coords = points.map((p) => [p.lon, p.lat]);
  const geometry = kind === 'Polygon'
    ? { type: 'Polygon', coordinates: [[...coords, coords[0]]] }
    : { type: 'LineString', coordinates: coords };
  return until ? { geometry, until } : { geometry };
}
