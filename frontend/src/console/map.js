// The console's map: roads, vans, planned stops and closures; clicks go to the active tool.
import { html, useEffect, useRef } from '../lib/ui.js';
import { roadMap } from '../lib/roadmap.js';

export function LiveMap({ state, onClick, marks = [], drawing = [], drawKind = null, testid = 'map' }) {
  const el = useRef(null);
  const ctx = useRef(null);
  const clickRef = useRef(onClick);
  clickRef.current = onClick;

  useEffect(() => {
    let alive = true;
    roadMap(el.current).then(({ map, L }) => {
      if (!alive) { map.remove(); return; }
      ctx.current = { map, L, layer: L.layerGroup().addTo(map) };
      map.on('click', (e) => clickRef.current && clickRef.current(e.latlng));
      draw();
    });
    return () => { alive = false; if (ctx.current) ctx.current.map.remove(); };
  }, []);

  function draw() {
    const c = ctx.current;
    if (!c) return;
    const { L, layer } = c;
    layer.clearLayers();
    for (const cl of state.closures || []) {
      const g = cl.geometry;
      const ll = (g.type === 'Polygon' ? g.coordinates[0] : g.coordinates).map(([x, y]) => [y, x]);
      (g.type === 'Polygon' ? L.polygon(ll, { color: '#c00000', weight: 4 }) : L.polyline(ll, { color: '#c00000', weight: 6 }))
        .bindTooltip(`✕ ${cl.id}`).addTo(layer);
    }
    for (const v of state.vehicles || []) {
      for (const s of (state.manifests[v.id] || { stops: [] }).stops) {
        L.circleMarker([s.location.lat, s.location.lon], {
          radius: 6, color: s.type === 'pickup' ? '#006400' : '#7a1fa2', weight: 2, fillOpacity: 0.3,
        }).bindTooltip(`${v.name}: ${s.type} ${s.booking_id}`).addTo(layer);
      }
      L.marker([v.position.lat, v.position.lon], {
        icon: L.divIcon({ className: 'van-icon', html: `<span>${v.name}</span>`, iconSize: null }),
      }).addTo(layer);
    }
    for (const m of marks) {
      L.circleMarker([m.lat, m.lon], { radius: 10, color: m.color || '#000', weight: 4, fillOpacity: 0.8 })
        .bindTooltip(m.label, { permanent: true, direction: 'top' }).addTo(layer);
    }
    if (drawing.length) {
      const ll = drawing.map((p) => [p.lat, p.lon]);
      (drawKind === 'Polygon' ? L.polygon(ll, { color: '#ff8c00', dashArray: '6 4' })
        : L.polyline(ll, { color: '#ff8c00', weight: 5, dashArray: '6 4' })).addTo(layer);
    }
  }

  useEffect(draw, [state, marks, drawing, drawKind]);
  return html`<div class="map" data-testid=${testid} ref=${el}></div>`;
}
