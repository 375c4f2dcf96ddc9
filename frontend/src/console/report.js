// The monthly report (GET /v1/reports/months/{yyyy-mm}): the month beside the month before,
// cancellations by reason, and report.csv (fetched with the token, saved as a file).
import { html, useState, useEffect } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { figure } from '../lib/forms.js';
import { PARCEL_FIGURES, hasParcels } from '../lib/report.js';

export const FIGURES = ['rides', 'riders', 'bookings', 'no_shows', 'cancelled', 'vehicle_km', 'vehicle_hours',
  'cost', 'fares', 'fare_recovery', 'cost_per_ride', 'wait_mean_min', 'on_time_share', 'pooled_share'];

export function Report({ lang, state, api }) {
  const [month, setMonth] = useState((state.today || '').slice(0, 7));
  const [report, setReport] = useState(null);
  const [msg, setMsg] = useState(null);
  // the console's first read may not have known the day yet: the month follows once it does
  useEffect(() => { if (!month && state.today) setMonth(state.today.slice(0, 7)); }, [state.today]);
  async function load() {
    setMsg('…');
    try { setReport(await api.get(`/v1/reports/months/${month}`)); setMsg(null); }
    catch (e) { setReport(null); setMsg(`${e.code}: ${e.message}`); }
  }
  async function csv() {
    const res = await fetch(`/v1/reports/months/${month}/report.csv`, { headers: { Authorization: `Bearer ${api.token}` } });
    if (!res.ok) { setMsg(`HTTP ${res.status}`); return; }
    const a = document.createElement('a');
    a.href = URL.createObjectURL(await res.blob()); a.download = `report-${month}.csv`; a.click();
  }
  const cur = report && report.current;
  const prev = report && report.previous;
  return html`<div class="page">
    <form class="row" onSubmit=${(e) => { e.preventDefault(); load(); }}>
      <label>${t(lang, 'month')} <input type="month" data-testid="report-month" value=${month} onInput=${(e) => setMonth(e.target.value)} /></label>
      <button class="primary" data-testid="report-load">${t(lang, 'show')}</button>
      ${report && html`<button type="button" data-testid="report-csv" onClick=${csv}>report.csv</button>`}</form>
    ${msg && html`<div class="msg" data-testid="report-msg">${msg}</div>`}
    ${report && html`<div class="two"><section><h2>${t(lang, 'monthly_report')} ${report.month}</h2>
      <table class="grid" data-testid="report"><thead><tr><th></th><th>${cur.month}</th><th>${prev.month}</th></tr></thead>
      <tbody>${FIGURES.map((f) => html`<tr><th>${t(lang, `fig_${f}`)}</th><td data-testid=${`fig-${f}`}>${figure(cur.total[f])}</td><td>${figure(prev.total[f])}</td></tr>`)}
        <tr><th>${t(lang, 'fig_distinct_riders')}</th><td>${figure(cur.distinct_riders)}</td><td>${figure(prev.distinct_riders)}</td></tr></tbody></table></section>
      <section><h2>${t(lang, 'cancel_reasons')}</h2><table class="grid" data-testid="report-reasons"><tbody>
        ${Object.entries(cur.cancelled_by_reason || {}).map(([k, n]) => html`<tr><th>${t(lang, `reason_${k}`)}</th><td data-testid=${`reason-${k}`}>${n}</td></tr>`)}</tbody></table>
      ${hasParcels(report) && html`<h2>${t(lang, 'parcels_month')}</h2><table class="grid" data-testid="report-parcels"><thead><tr><th></th><th>${cur.month}</th><th>${prev.month}</th></tr></thead><tbody>
        ${PARCEL_FIGURES.map((f) => html`<tr><th>${t(lang, `parcel_${f}`)}</th><td data-testid=${`parcel-${f}`}>${figure(cur.parcels[f])}</td><td>${figure(prev.parcels ? prev.parcels[f] : null)}</td></tr>`)}</tbody></table>`}
      <h2>${t(lang, 'by_day')}</h2><table class="grid"><thead><tr><th>${t(lang, 'date')}</th><th>${t(lang, 'fig_rides')}</th><th>${t(lang, 'fig_riders')}</th><th>${t(lang, 'fig_cancelled')}</th></tr></thead>
        <tbody>${cur.days.map((d) => html`<tr><td>${d.date}</td><td>${d.rides}</td><td>${d.riders}</td><td>${d.cancelled}</td></tr>`)}</tbody></table></section></div>`}
  </div>`;
}
