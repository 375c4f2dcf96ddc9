// Van shifts (dispatchers, admins): a roster van's weekly pattern with its break, and
// per-date overrides (off, or other hours), over the service file's roster
// (GET/PUT /v1/vehicles/{id}/shifts, PUT/DELETE .../shifts/{date}). A change that would
// strand booked rides is refused by the API; the rides it names are shown.
import { html, useState, useEffect, useRef } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { WEEK, WD_JA, weekBody, rowsOf } from '../lib/forms.js';

function refusalText(lang, e) {
  const rides = e.body && e.body.error && e.body.error.rides;
  if (!rides) return `${e.code}: ${e.message}`;
  return `${t(lang, 'strands')}: ${Object.entries(rides).map(([d, ids]) => `${d} ${ids.join(', ')}`).join(' / ')}`;
}

export function Shifts({ lang, state, api, role }) {
  const vans = (state.service && state.service.fleet) || state.vehicles.map((v) => ({ id: v.id, name: v.name }));
  const [van, setVan] = useState(vans.length ? vans[0].id : '');
  const [shifts, setShifts] = useState(null);
  const [rows, setRows] = useState({});
  const [over, setOver] = useState({ date: '', off: true, start: '', end: '', reason: '' });
  const [msg, setMsg] = useState(null);
  // The van shown now: a slower answer for a van chosen before must not overwrite its rows.
  const shown = useRef(van);
  // Rows typed into while a load was on the way are the clerk's: the answer must not undo them.
  const typed = useRef(0);
  async function load(id = van) {
    const asked = typed.current;
    try {
      const s = await api.get(`/v1/vehicles/${id}/shifts`);
      if (id !== shown.current) return;
      setShifts(s);
      if (typed.current === asked) setRows(rowsOf(s.week));
    } catch (e) { if (id === shown.current) { setShifts(null); setMsg(`${e.code}: ${e.message}`); } }
  }
  useEffect(() => { shown.current = van; typed.current = 0; if (van) load(van); }, [van]);
  async function save(call) {
    setMsg('…');
    try { const s = await call(); setShifts(s); setRows(rowsOf(s.week));
      setMsg(`${t(lang, 'saved')}${s.applied_to.length ? ` (${s.applied_to.join(', ')})` : ''}`); }
    catch (e) { setMsg(refusalText(lang, e)); }
  }
  const saveWeek = () => save(() => api.put(`/v1/vehicles/${van}/shifts`, weekBody(rows)));
  const saveOverride = () => save(() => api.put(`/v1/vehicles/${van}/shifts/${over.date}`, over.off
    ? { off: true, reason: over.reason } : { start: over.start, end: over.end, reason: over.reason }));
  const dropOverride = (d) => save(() => api.del(`/v1/vehicles/${van}/shifts/${d}`));
  const cell = (d, k, type = 'time') => html`<input type=${type} class=${type === 'number' ? 'narrow' : ''} data-testid=${`shift-${d}-${k}`}
    value=${(rows[d] || {})[k] || ''} onInput=${(e) => { typed.current += 1; setRows({ ...rows, [d]: { ...rows[d], [k]: e.target.value } }); }} />`;
  const edit = role.can('fleet');
  return html`<div class="page two">
    <section><h2>${t(lang, 'shifts')}</h2>
      <div class="row"><label>${t(lang, 'vans')} <select data-testid="shift-van" value=${van} onChange=${(e) => setVan(e.target.value)}>
        ${vans.map((v) => html`<option value=${v.id}>${v.id} ${v.name || ''}</option>`)}</select></label>
        ${shifts && html`<span class="muted" data-testid="week-source">${t(lang, `source_${shifts.week_source}`)}</span>`}</div>
      ${msg && html`<div class="msg" data-testid="shift-msg">${msg}</div>`}
      ${shifts && html`<table class="grid" data-testid="week"><thead><tr><th></th><th>${t(lang, 'start')}</th><th>${t(lang, 'end')}</th>
        <th>${t(lang, 'break_from')}</th><th>${t(lang, 'break_to')}</th><th>${t(lang, 'minutes')}</th></tr></thead>
        <tbody>${WEEK.map((d) => html`<tr><th>${lang === 'ja' ? WD_JA[d] : d}</th><td>${cell(d, 'start')}</td><td>${cell(d, 'end')}</td>
          <td>${cell(d, 'break_start')}</td><td>${cell(d, 'break_end')}</td><td>${cell(d, 'minutes', 'number')}</td></tr>`)}</tbody></table>
        ${edit && html`<button class="primary" data-testid="save-week" onClick=${saveWeek}>${t(lang, 'save')}</button>`}`}
    </section>
    <section><h2>${t(lang, 'overrides')}</h2>
      ${shifts && html`<ul data-testid="overrides">${shifts.overrides.map((o) => html`<li>${o.first}${o.last !== o.first ? `–${o.last}` : ''}:
        ${o.shift ? `${o.shift.start}–${o.shift.end}` : t(lang, 'day_off')} ${o.reason ? `(${o.reason})` : ''} <small>${t(lang, `source_${o.source}`)}</small>
        ${edit && o.source === 'api' && html`<button onClick=${() => dropOverride(o.first)}>${t(lang, 'remove')}</button>`}</li>`)}</ul>`}
      ${edit && html`<form class="row" onSubmit=${(e) => { e.preventDefault(); saveOverride(); }}>
        <input type="date" required data-testid="override-date" value=${over.date} onInput=${(e) => setOver({ ...over, date: e.target.value })} />
        <label><input type="checkbox" data-testid="override-off" checked=${over.off} onChange=${(e) => setOver({ ...over, off: e.target.checked })} /> ${t(lang, 'day_off')}</label>
        ${!over.off && html`<input type="time" data-testid="override-start" value=${over.start} onInput=${(e) => setOver({ ...over, start: e.target.value })} />
          <input type="time" data-testid="override-end" value=${over.end} onInput=${(e) => setOver({ ...over, end: e.target.value })} />`}
        <input placeholder=${t(lang, 'reason')} value=${over.reason} onInput=${(e) => setOver({ ...over, reason: e.target.value })} />
        <button data-testid="save-override">${t(lang, 'save')}</button></form>`}
    </section></div>`;
}
