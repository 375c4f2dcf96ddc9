// Closures: draw a line or an area on the map, until when, close it; the rides it hits.
import { html, useState } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { withOffset } from '../lib/format.js';
import { LiveMap } from './map.js';
import { closureBody } from '../lib/closure.js';

export function Roads({ lang, state, api, addClosure, role, reload }) {
  const [kind, setKind] = useState(null);
  const [points, setPoints] = useState([]);
  const [until, setUntil] = useState('');
  const [msg, setMsg] = useState(null);
  const enough = kind && points.length >= (kind === 'Polygon' ? 3 : 2);
  async function close() {
    try {
      const body = closureBody(kind, points, until ? withOffset(until) : null);
      const c = await api.post('/v1/closures', body);
      addClosure({ ...c, geometry: body.geometry });
      setKind(null); setPoints([]); setMsg(null);
    } catch (e) { setMsg(`${e.code}: ${e.message}`); }
  }
  async function lift(c) {
    try { await api.del(`/v1/closures/${c.id}`); setMsg(`${t(lang, 'lift')}: ${c.id}`); reload(); }
    catch (e) { setMsg(`${e.code}: ${e.message}`); }
  }
  return html`<div class="booking">
    <section class="form-col">
      ${role.can('close_road') && html`<div class="row">
        <button data-testid="draw-line" class=${kind === 'LineString' ? 'active' : ''} onClick=${() => { setKind('LineString'); setPoints([]); }}>${t(lang, 'draw_line')}</button>
        <button data-testid="draw-polygon" class=${kind === 'Polygon' ? 'active' : ''} onClick=${() => { setKind('Polygon'); setPoints([]); }}>${t(lang, 'draw_polygon')}</button>
        <button onClick=${() => setPoints([])}>${t(lang, 'clear')}</button></div>
      <div class="row"><label>${t(lang, 'until')} <input type="datetime-local" data-testid="closure-until" value=${until} onInput=${(e) => setUntil(e.target.value)} /></label></div>
      <button class="primary big" data-testid="close-road" disabled=${!enough} onClick=${close}>${t(lang, 'close_road')} (${points.length})</button>`}
      ${msg && html`<div class="msg">${msg}</div>`}
      <ul class="closures" data-testid="closures">
        ${!state.closures.length && html`<li class="muted">${t(lang, 'no_closures')}</li>`}
        ${state.closures.map((c) => html`<li><b>${c.id}</b> ${c.until ? `→ ${c.until.slice(0, 16)}` : ''}
          <div>${t(lang, 'affected')}: <span data-testid="affected">${c.affected_bookings.join(', ') || t(lang, 'none')}</span></div>
          ${c.promises_at_risk.length ? html`<div class="alert at_risk">${t(lang, 'at_risk')}: ${c.promises_at_risk.join(', ')}</div>` : ''}
          ${role.can('close_road') && html`<button data-testid=${`lift-${c.id}`} onClick=${() => lift(c)}>${t(lang, 'lift')}</button>`}</li>`)}
      </ul>
    </section>
    <section class="map-col"><${LiveMap} state=${state} drawing=${points} drawKind=${kind} testid="roads-map"
      onClick=${(ll) => kind && setPoints([...points, { lat: ll.lat, lon: ll.lng }])} /></section>
  </div>`;
}
