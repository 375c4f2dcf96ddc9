// Fleet and riders: the vans (today's load and position, the registered record edited
// through PATCH /v1/vehicles/{id}, retired through DELETE), who drives each van on a day
// (PUT/DELETE /v1/vehicles/{id}/days/{date}/driver), driver accounts, driver tokens; riders
// of today's bookings and those found or registered in this session. Only a role that may
// run the fleet is offered the edits (roles.js 'fleet').
import { html, useState, useEffect } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { hhmm, dayLabel } from '../lib/format.js';
import { vanPatch, refusalText, vanIds } from '../lib/forms.js';

function VanEditor({ lang, api, id, onDone }) {
  const [record, setRecord] = useState(null);
  const [form, setForm] = useState(null);
  const [msg, setMsg] = useState(null);
  const [retiring, setRetiring] = useState(false);
  useEffect(() => {
    setRecord(null); setMsg(null); setRetiring(false);
    let live = true;
    api.get(`/v1/vehicles/${encodeURIComponent(id)}`).then((r) => {
      if (!live) return;
      setRecord(r); setForm({ name: r.name, seats: String(r.seats), wheelchair_places: String(r.wheelchair_places) });
    }).catch((e) => live && setMsg({ bad: true, text: refusalText(e) }));
    return () => { live = false; };
  }, [id]);
  async function save() {
    const body = vanPatch(record, form);
    if (!body) { setMsg({ bad: false, text: t(lang, 'no_change') }); return; }
    try {
      const r = await api.patch(`/v1/vehicles/${encodeURIComponent(id)}`, body);
      setRecord(r); setMsg({ bad: false, text: t(lang, 'saved') }); onDone();
    } catch (e) { setMsg({ bad: true, text: `${t(lang, 'refused')}: ${refusalText(e)}` }); }
  }
  async function retire() {
    try {
      const r = await api.del(`/v1/vehicles/${encodeURIComponent(id)}`);
      setRecord(r); setRetiring(false); setMsg({ bad: false, text: t(lang, 'retired') }); onDone();
    } catch (e) { setRetiring(false); setMsg({ bad: true, text: `${t(lang, 'refused')}: ${refusalText(e)}` }); }
  }
  if (!record || !form) return html`<div class="editor">${msg ? html`<div class="refusal">${msg.text}</div>` : '…'}</div>`;
  const field = (k, type = 'number', attrs = {}) => html`<label>${t(lang, k)} <input type=${type} class=${type === 'number' ? 'narrow' : ''}
    data-testid=${`van-${k}`} value=${form[k]} disabled=${record.retired} ...${attrs} onInput=${(e) => setForm({ ...form, [k]: e.target.value })} /></label>`;
  return html`<div class="editor" data-testid="van-editor"><h3>${record.name} <small>${record.id}</small>${record.retired ? ` — ${t(lang, 'retired')}` : ''}</h3>
    <div class="row">${field('name', 'text', { maxlength: 100 })}${field('seats', 'number', { min: 0, max: 60 })}${field('wheelchair_places', 'number', { min: 0, max: 10 })}</div>
    <p class="muted">${t(lang, 'van_change_note')}</p>
    ${!record.retired && html`<div class="row"><button class="primary" data-testid="van-save" onClick=${save}>${t(lang, 'save')}</button>
      ${retiring ? html`<span>${t(lang, 'retire_confirm')}</span><button class="warn" data-testid="van-retire-confirm" onClick=${retire}>${t(lang, 'retire')}</button>
        <button onClick=${() => setRetiring(false)}>${t(lang, 'back')}</button>`
        : html`<button class="warn" data-testid="van-retire" onClick=${() => setRetiring(true)}>${t(lang, 'retire')}…</button>`}</div>`}
    ${msg && html`<div class=${msg.bad ? 'refusal' : 'ok'} data-testid="van-msg">${msg.text}</div>`}</div>`;
}

function Assignments({ lang, api, ids, names, days, may }) {
  const [day, setDay] = useState(days.length ? days[0].date : '');
  const [drivers, setDrivers] = useState([]);
  const [assigned, setAssigned] = useState({});
  const [msg, setMsg] = useState(null);
  const [made, setMade] = useState(null);
  const [newDriver, setNewDriver] = useState({ name: '', phone: '' });
  async function loadDrivers() {
    try { setDrivers((await api.get('/v1/drivers')).drivers.filter((d) => d.active)); } catch (e) { setMsg(refusalText(e)); }
  }
  useEffect(() => { loadDrivers(); }, []);
  useEffect(() => { if (!day && days.length) setDay(days[0].date); }, [days.length]);
  useEffect(() => {
    if (!day) return undefined;
    let live = true;
    Promise.all(ids.map((id) => api.get(`/v1/vehicles/${encodeURIComponent(id)}/days/${day}/driver`).catch(() => null)))
      .then((rows) => live && setAssigned(Object.fromEntries(rows.filter(Boolean).map((r) => [r.vehicle_id, r]))));
    return () => { live = false; }; // a slower answer for a day chosen before is dropped
  }, [day, ids.join(',')]);
  async function assign(id, driverId) {
    const path = `/v1/vehicles/${encodeURIComponent(id)}/days/${day}/driver`;
    try {
      const r = driverId ? await api.put(path, { driver_id: driverId }) : await api.del(path);
      setAssigned({ ...assigned, [id]: r });
      setMsg(`${t(lang, 'saved')}: ${names[id] || id} ${day} → ${r.driver_name || '—'}`);
    } catch (e) { setMsg(`${t(lang, 'refused')}: ${refusalText(e)}`); }
  }
  async function create() {
    try {
      const d = await api.post('/v1/drivers', { name: newDriver.name.trim(), phone: newDriver.phone.trim() || null });
      setMade(d); setNewDriver({ name: '', phone: '' }); loadDrivers();
    } catch (e) { setMsg(`${t(lang, 'refused')}: ${refusalText(e)}`); }
  }
  return html`<section><h2>${t(lang, 'drivers_per_day')}</h2>
    <label>${t(lang, 'date')} <select data-testid="assign-date" value=${day} onChange=${(e) => setDay(e.target.value)}>
      ${days.map((d) => html`<option value=${d.date}>${dayLabel(d.date, lang)} ${d.date}</option>`)}</select></label>
    <table class="grid" data-testid="assignments"><thead><tr><th>${t(lang, 'vans')}</th><th>${t(lang, 'driver')}</th></tr></thead>
      <tbody>${ids.map((id) => { const a = assigned[id]; return html`<tr><td>${names[id] || id} <small>${id}</small></td><td>
        ${may ? html`<select data-testid=${`assign-${id}`} value=${(a && a.driver_id) || ''} onChange=${(e) => assign(id, e.target.value)}>
          <option value="">—</option>${drivers.map((d) => html`<option value=${d.id}>${d.name}</option>`)}
          ${a && a.driver_id && !drivers.some((d) => d.id === a.driver_id) ? html`<option value=${a.driver_id}>${a.driver_name || a.driver_id}</option>` : ''}</select>`
          : html`<span data-testid=${`assigned-${id}`}>${(a && a.driver_name) || '—'}</span>`}</td></tr>`; })}</tbody></table>
    ${msg && html`<div class="msg" data-testid="assign-msg">${msg}</div>`}
    ${may && html`<form class="row" onSubmit=${(e) => { e.preventDefault(); create(); }}>
      <input required data-testid="driver-name" placeholder=${t(lang, 'driver_name')} value=${newDriver.name} onInput=${(e) => setNewDriver({ ...newDriver, name: e.target.value })} />
      <input data-testid="driver-phone" placeholder=${t(lang, 'phone')} value=${newDriver.phone} onInput=${(e) => setNewDriver({ ...newDriver, phone: e.target.value })} />
      <button data-testid="driver-create">${t(lang, 'new_driver')}</button></form>
      ${made && html`<div class="ok" data-testid="driver-made">${made.name}: <code>${made.token}</code> <small>(${t(lang, 'shown_once')})</small></div>`}`}
  </section>`;
}

export function Fleet({ lang, state, api, role, reload }) {
  const [tokens, setTokens] = useState({});
  const [query, setQuery] = useState('');
  const [found, setFound] = useState(null);
  const [editing, setEditing] = useState(null);
  const may = role.can('fleet');
  async function search() {
    try { setFound((await api.get(`/v1/riders?query=${encodeURIComponent(query)}`)).riders); } catch { setFound([]); }
  }
  const riders = found || Object.values(state.riders);
  const tz = state.service ? state.service.timezone : 'Asia/Tokyo';
  const roster = (state.service && state.service.fleet) || [];
  const ids = vanIds(roster, state.vehicles);
  const names = Object.fromEntries([...roster, ...state.vehicles].map((v) => [v.id, v.name]));
  const today = Object.fromEntries(state.vehicles.map((v) => [v.id, v]));
  const days = (state.service && state.service.operating_days) || [];
  async function issue(id) {
    try { const r = await api.post(`/v1/vehicles/${id}/driver-token`); setTokens({ ...tokens, [id]: r.driver_token }); }
    catch (e) { setTokens({ ...tokens, [id]: e.message }); }
  }
  return html`<div class="page two">
    <section><h2>${t(lang, 'fleet')}</h2><table class="grid" data-testid="fleet"><thead><tr><th>ID</th><th>${t(lang, 'name')}</th>
      <th>${t(lang, 'onboard')}</th><th>${t(lang, 'position')}</th><th>${t(lang, 'stops')}</th><th></th></tr></thead>
      <tbody>${ids.map((id) => { const v = today[id]; return html`<tr data-testid=${`fleet-${id}`} class=${editing === id ? 'active' : ''}><td>${id}</td><td>${names[id]}</td>
        <td>${v ? v.load.passengers : '—'}</td><td>${v && v.position_at ? hhmm(v.position_at, tz) : '—'}</td><td>${v ? v.next_stops.length : '—'}</td>
        <td>${may && html`<button data-testid=${`edit-${id}`} onClick=${() => setEditing(id)}>${t(lang, 'edit')}</button>
          <button onClick=${() => issue(id)}>${t(lang, 'issue_token')}</button>`} <code>${tokens[id] || ''}</code>
          ${tokens[id] && html` <a href=${`/driver/?van=${encodeURIComponent(id)}`} target="_blank">/driver/?van=${id}</a>`}</td></tr>`; })}</tbody></table>
      ${may && editing && html`<${VanEditor} lang=${lang} api=${api} id=${editing} onDone=${reload} />`}
      <${Assignments} lang=${lang} api=${api} ids=${ids} names=${names} days=${days} may=${may} /></section>
    <section><h2>${t(lang, 'riders')}</h2>
      <form class="row" onSubmit=${(e) => { e.preventDefault(); search(); }}><input placeholder=${t(lang, 'search_hint')} value=${query}
        onInput=${(e) => setQuery(e.target.value)} /><button>${t(lang, 'search')}</button></form><table class="grid" data-testid="riders"><thead><tr><th>ID</th><th>${t(lang, 'name')}</th><th>${t(lang, 'phone')}</th><th>♿</th></tr></thead>
      <tbody>${riders.map((r) => html`<tr><td>${r.id}</td><td>${r.name}${r.name_kana ? ` (${r.name_kana})` : ''}</td><td>${r.phone || ''}</td><td>${r.needs_wheelchair ? '♿' : ''}</td></tr>`)}</tbody></table></section>
  </div>`;
}
