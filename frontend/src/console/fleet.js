// Fleet and riders: today's vans (position, load, next stops) with driver tokens; riders
// of today's bookings and those found or registered in this session.
import { html, useState } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { hhmm } from '../lib/format.js';

export function Fleet({ lang, state, api, role }) {
  const [tokens, setTokens] = useState({});
  const [query, setQuery] = useState('');
  const [found, setFound] = useState(null);
  async function search() {
    try { setFound((await api.get(`/v1/riders?query=${encodeURIComponent(query)}`)).riders); } catch { setFound([]); }
  }
  const riders = found || Object.values(state.riders);
  const tz = state.service ? state.service.timezone : 'Asia/Tokyo';
  async function issue(v) {
    try { const r = await api.post(`/v1/vehicles/${v.id}/driver-token`); setTokens({ ...tokens, [v.id]: r.driver_token }); }
    catch (e) { setTokens({ ...tokens, [v.id]: e.message }); }
  }
  return html`<div class="page two">
    <section><h2>${t(lang, 'fleet')}</h2><table class="grid" data-testid="fleet"><thead><tr><th>ID</th><th>${t(lang, 'name')}</th>
      <th>${t(lang, 'onboard')}</th><th>${t(lang, 'position')}</th><th>${t(lang, 'stops')}</th><th>${t(lang, 'driver_token')}</th></tr></thead>
      <tbody>${state.vehicles.map((v) => html`<tr><td>${v.id}</td><td>${v.name}</td><td>${v.load.passengers}</td>
        <td>${v.position_at ? hhmm(v.position_at, tz) : '—'}</td><td>${v.next_stops.length}</td>
        <td>${role.can('fleet') && html`<button onClick=${() => issue(v)}>${t(lang, 'issue_token')}</button>`} <code>${tokens[v.id] || ''}</code>
          ${tokens[v.id] && html` <a href=${`/driver/?van=${encodeURIComponent(v.id)}`} target="_blank">/driver/?van=${v.id}</a>`}</td></tr>`)}</tbody></table></section>
    <section><h2>${t(lang, 'riders')}</h2>
      <form class="row" onSubmit=${(e) => { e.preventDefault(); search(); }}><input placeholder=${t(lang, 'search_hint')} value=${query}
        onInput=${(e) => setQuery(e.target.value)} /><button>${t(lang, 'search')}</button></form><table class="grid" data-testid="riders"><thead><tr><th>ID</th><th>${t(lang, 'name')}</th><th>${t(lang, 'phone')}</th><th>♿</th></tr></thead>
      <tbody>${riders.map((r) => html`<tr><td>${r.id}</td><td>${r.name}${r.name_kana ? ` (${r.name_kana})` : ''}</td><td>${r.phone || ''}</td><td>${r.needs_wheelchair ? '♿' : ''}</td></tr>`)}</tbody></table>
      <p class="muted">${t(lang, 'monthly_report')}: <code>GET /v1/reports/months/YYYY-MM</code></p></section>
  </div>`;
}
