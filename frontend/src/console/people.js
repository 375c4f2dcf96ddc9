// Staff and the audit log (admins): every staff account with its role, changed in place
// (PATCH /v1/staff/{id}; the API keeps the last admin), and the audit log with filters.
import { html, useState, useEffect } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { hhmm } from '../lib/format.js';
import { auditQuery } from '../lib/forms.js';

const ROLES = ['admin', 'dispatcher', 'viewer'];

function Staff({ lang, api, who }) {
  const [staff, setStaff] = useState([]);
  const [msg, setMsg] = useState(null);
  async function load() { try { setStaff((await api.get('/v1/staff')).staff); } catch (e) { setMsg(e.message); } }
  useEffect(() => { load(); }, []);
  async function change(s, body) {
    try { await api.patch(`/v1/staff/${s.id}`, body); setMsg(`${s.name}: ${t(lang, 'saved')}`); }
    catch (e) { setMsg(`${e.code}: ${e.message}`); }
    load();
  }
  return html`<section><h2>${t(lang, 'staff')}</h2>
    ${msg && html`<div class="msg" data-testid="staff-msg">${msg}</div>`}
    <table class="grid" data-testid="staff"><thead><tr><th>ID</th><th>${t(lang, 'name')}</th><th>${t(lang, 'role')}</th><th>${t(lang, 'active')}</th></tr></thead>
    <tbody>${staff.map((s) => html`<tr data-testid=${`staff-${s.id}`}><td><code>${s.id}</code></td><td>${s.name}${s.id === who.id ? ' ★' : ''}</td>
      <td><select data-testid=${`role-${s.id}`} value=${s.role} onChange=${(e) => change(s, { role: e.target.value })}>
        ${ROLES.map((r) => html`<option value=${r}>${t(lang, `role_${r}`)}</option>`)}</select></td>
      <td><input type="checkbox" checked=${s.active !== false} onChange=${(e) => change(s, { active: e.target.checked })} /></td></tr>`)}</tbody></table></section>`;
}

function Audit({ lang, api, tz }) {
  const [filters, setFilters] = useState({ actor: '', action: '', since: '', until: '' });
  const [entries, setEntries] = useState(null);
  const [msg, setMsg] = useState(null);
  async function load() {
    const f = { ...filters };
    for (const k of ['since', 'until']) if (f[k]) f[k] = new Date(f[k]).toISOString();
    try { const r = await api.get(auditQuery(f)); setEntries(r.entries); setMsg(r.pending ? `${t(lang, 'pending')}: ${r.pending}` : null); }
    catch (e) { setMsg(`${e.code}: ${e.message}`); }
  }
  useEffect(() => { load(); }, []);
  const set = (k) => (e) => setFilters({ ...filters, [k]: e.target.value });
  return html`<section><h2>${t(lang, 'audit')}</h2>
    <form class="row" onSubmit=${(e) => { e.preventDefault(); load(); }}>
      <input data-testid="audit-actor" placeholder=${t(lang, 'actor')} value=${filters.actor} onInput=${set('actor')} />
      <input data-testid="audit-action" placeholder="PATCH /v1/staff/{staff_id}" value=${filters.action} onInput=${set('action')} />
      <label>${t(lang, 'since')} <input type="datetime-local" value=${filters.since} onInput=${set('since')} /></label>
      <label>${t(lang, 'until_time')} <input type="datetime-local" value=${filters.until} onInput=${set('until')} /></label>
      <button data-testid="audit-search">${t(lang, 'search')}</button></form>
    ${msg && html`<div class="msg">${msg}</div>`}
    ${entries && html`<table class="grid" data-testid="audit"><thead><tr><th>${t(lang, 'time')}</th><th>${t(lang, 'actor')}</th>
      <th>${t(lang, 'action')}</th><th>ID</th></tr></thead><tbody>${entries.map((e) => html`<tr>
      <td>${e.at.slice(5, 10)} ${hhmm(e.at, tz)}</td><td>${e.actor} (${t(lang, `role_${e.actor_role}`)})</td><td><code>${e.action}</code></td><td>${e.object_id || ''}</td></tr>`)}
      </tbody></table>`}</section>`;
}

export function People({ lang, state, api, who }) {
  const tz = state.service ? state.service.timezone : 'Asia/Tokyo';
  return html`<div class="page two"><${Staff} lang=${lang} api=${api} who=${who} /><${Audit} lang=${lang} api=${api} tz=${tz} /></div>`;
}
