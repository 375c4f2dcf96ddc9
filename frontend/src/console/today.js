// Today: the live map, alerts with one-click actions, and a timeline per van.
import { html } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { hhmm, pointAt } from '../lib/format.js';
import { LiveMap } from './map.js';
import { alertsOf, timelineOf } from './store.js';

function riderLabel(state, riderId) {
  const r = riderId && state.riders[riderId];
  return r ? r.name : (riderId || '');
}

export function Today({ lang, state, api, go, role, dismissWelfare }) {
  const tz = state.service ? state.service.timezone : 'Asia/Tokyo';
  const alerts = state.clock ? alertsOf(state, state.clock.now) : [];
  const phoneOf = (rid) => (rid && state.riders[rid] && state.riders[rid].phone) || '';
  return html`<div class="today">
    <section class="map-col"><${LiveMap} state=${state} /></section>
    <section class="side-col">
      <h2>${t(lang, 'alerts')}</h2>
      <ul class="alerts" data-testid="alerts">
        ${alerts.length === 0 && html`<li class="muted">${t(lang, 'no_alerts')}</li>`}
        ${alerts.map((a) => html`<li class=${`alert ${a.kind}`}>
          <b>${t(lang, a.kind)}</b>
          ${a.kind === 'at_risk' && html` ${a.booking_id} ${riderLabel(state, a.rider_id)}
            ${a.pickup_estimate ? ` → ${hhmm(a.pickup_estimate, tz)}` : ''}
            ${phoneOf(a.rider_id) && html` ☎ <a href=${`tel:${phoneOf(a.rider_id)}`}>${phoneOf(a.rider_id)}</a>`}
            <button onClick=${() => go('book', { cancel: a.booking_id })}>${t(lang, 'open')}</button>`}
          ${a.kind === 'welfare' && html` <span data-testid="welfare-alert">${a.name || a.rider_id} (${a.reason})
            ${a.phone && html` ☎ <a href=${`tel:${a.phone}`}>${a.phone}</a>`}
            ${a.contact_name && html` — ${t(lang, 'contact')}: ${a.contact_name}`}
            ${a.contact_phone && html` ☎ <a href=${`tel:${a.contact_phone}`}>${a.contact_phone}</a>`}</span>
            <button onClick=${() => dismissWelfare(a.booking_id)}>${t(lang, 'checked')}</button>`}
          ${a.kind === 'silent' && html` ${a.name} (${a.since ? hhmm(a.since, tz) : '—'})
            <button onClick=${() => go('fleet')}>${t(lang, 'open')}</button>`}
          ${a.kind === 'unserved' && html` ${a.date}: ${a.message || a.reason}
            ${role.can('plan') && html`<button onClick=${() => api.post(`/v1/days/${a.date}/plan`).then(() => go('days'))}>${t(lang, 'replan')}</button>`}`}
        </li>`)}
      </ul>
      <h2>${t(lang, 'timeline')}</h2>
      <div class="timelines" data-testid="timelines">
        ${state.vehicles.map((v) => html`<div class="van" data-testid=${`van-${v.id}`}>
          <h3>${v.name} <span class="load">${t(lang, 'onboard')}: <b data-testid=${`onboard-${v.id}`}>${v.load.passengers}</b>${v.load.wheelchairs ? ` ♿${v.load.wheelchairs}` : ''}</span></h3>
          <table><tbody>
            ${timelineOf(state.manifests[v.id], v, state.bookings).map((s) => html`<tr class=${s.type}>
              <td class="time">${hhmm(s.planned_at, tz)}</td>
              <td>${s.type === 'pickup' ? '▲ ' + t(lang, 'pickup') : '▼ ' + t(lang, 'dropoff')}</td>
              <td>${riderLabel(state, s.booking && s.booking.rider_id)} <small>${s.booking_id}</small>
                ${s.booking && s.booking.wheelchair ? ' ♿' : ''}
                ${pointAt(s.type, s.booking) && html`<div class="point" data-testid=${`point-${s.stop_id}`}>📍 ${pointAt(s.type, s.booking).name}</div>`}</td>
              <td>${s.passengers}${t(lang, 'passengers')}</td>
              <td>${s.booking && s.type === 'pickup' ? `${hhmm(s.booking.pickup_window.start, tz)}–${hhmm(s.booking.pickup_window.end, tz)}` : ''}</td>
              <td title=${t(lang, 'onboard')}>→${s.load_after}</td>
            </tr>`)}
            ${!(state.manifests[v.id] || { stops: [] }).stops.length && html`<tr><td class="muted">${t(lang, 'none')}</td></tr>`}
          </tbody></table>
        </div>`)}
      </div>
    </section>
  </div>`;
}
