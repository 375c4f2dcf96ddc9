// A Leaflet map drawn from the service's own roads (GET /v1/service/roads): no tile server.
import L from 'leaflet';

export async function roadMap(el, { zoomControl = true } = {}) {
  const map = L.map(el, { zoomControl, preferCanvas: true, attributionControl: false, zoomSnap: 0.25 });
  const [roads, service] = await Promise.all([
    fetch('/v1/service/roads').then((r) => r.json()),
    fetch('/v1/service').then((r) => r.json()),
  ]);
  const layer = L.geoJSON(roads, {
    interactive: false,
    style: (f) => (f.properties.class === 'major'
      ? { color: '#4a4a4a', weight: 3 } : { color: '#9a9a9a', weight: 1.5 }),
  }).addTo(map);
  // Where riders go (the named places) rather than every road of a long valley.
  const spots = Object.values(service.places || {}).map((p) => [p.lat, p.lon]);
  const bounds = spots.length > 1 ? L.latLngBounds(spots).pad(0.6) : layer.getBounds();
  if (bounds.isValid()) map.fitBounds(bounds);
  else map.setView([43.0, 142.0], 13);
  for (const [name, p] of Object.entries(service.places || {})) {
    L.circleMarker([p.lat, p.lon], { radius: 4, color: '#005a9c', weight: 1, fillOpacity: 0.6 })
      .bindTooltip(name).addTo(map);
  }
  // Tests find a place's pixel through the map's own projection.
  (globalThis.__maasMaps ||= {})[el.dataset.testid || 'map'] = map;
  return { map, L, service };
}

export { L };
