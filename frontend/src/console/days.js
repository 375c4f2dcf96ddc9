// Days ahead: bookings per open day, the batch plan's figures, plan now, close.
import { html, useState } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { dayLabel, hhmm } from '../lib/format.js';

function fig(p) { return p ? `${p.bookings} / ${p.vans_used} / ${p.km.toFixed(1)} km / ¥${Math.round(p.cost)}` : '—'; }

export function Days({ lang, state, api, reload, role }) {
  const [msg, setMsg] = useState(null);
  const tz = state.service ? state.service.timezone : 'Asia/Tokyo';
  async function act(path) {
    setMsg('…');
    try {
      const r = await api.post(path);
      setMsg(r.after ? `${r.date}: ${t(lang, 'bookings')} ${r.bookings} · ${t(lang, 'before')} ${fig(r.before)} → ${t(lang, 'after')} ${fig(r.after)}`
        : `${r.date}: ${JSON.stringify(r)}`);
      reload();
    } catch (e) { setMsg(`${e.code}: ${e.message}`); }
  }
  return html`<div class="page">${msg && html`<pre class="msg" data-testid="days-msg">${msg}</pre>`}<table class="grid" data-testid="days"><thead><tr>
    <th>${t(lang, 'date')}</th><th>${t(lang, 'status')}</th><th>${t(lang, 'bookings')}</th><th>${t(lang, 'standing_count')}</th>
    <th>${t(lang, 'vans_rostered')}</th><th>${t(lang, 'deadline')}</th><th>${t(lang, 'before')}</th><th>${t(lang, 'after')}</th><th></th></tr></thead>
    <tbody>${state.days.map((d) => html`<tr>
      <td>${dayLabel(d.date, lang)}</td><td>${t(lang, `day_${d.status}`)}${d.planned ? ` · ${t(lang, 'day_planned')}` : ''}</td><td>${d.active}/${d.bookings}</td><td>${d.standing}</td>
      <td>${d.vans_on_road}/${d.vans_rostered}</td><td>${d.booking_deadline.slice(5, 10)} ${hhmm(d.booking_deadline, tz)}</td>
      <td>${fig(d.plan_before)}</td><td>${fig(d.plan_after)}</td>
      <td>${role.can('plan') && html`<button data-testid=${`plan-${d.date}`} onClick=${() => act(`/v1/days/${d.date}/plan`)}>${t(lang, 'plan_now')}</button>`}
        ${role.can('close_day') && d.date <= state.today && html`<button onClick=${() => act(`/v1/days/${d.date}/close`)}>${t(lang, 'close_day')}</button>`}</td>
    </tr>`)}</tbody></table></div>`;
}
