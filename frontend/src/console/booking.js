// Phone booking: find or register the rider, the trip (named place, map click or lat,lon),
// the offer and its alternative, confirm, and the window read back; standing bookings and
// the linked return from the same form; the rider's bookings with cancel.
import { html, useState, useEffect } from '../lib/ui.js';
import { t } from '../lib/i18n.js';
import { hhmm, readBack, withOffset, pointText } from '../lib/format.js';
import { newKey } from '../lib/api.js';
import { LiveMap } from './map.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
const WD_JA = { mon: '月', tue: '火', wed: '水', thu: '木', fri: '金', sat: '土', sun: '日' };

function parseLatLon(text) {
  const m = /^\s*(-?\d+(?:\.\d+)?)\s*[, ]\s*(-?\d+(?:\.\d+)?)\s*$/.exec(text || '');
  return m ? { lat: Number(m[1]), lon: Number(m[2]) } : null;
}

export const CANCEL_REASONS = ['rider_request', 'no_longer_needed', 'weather', 'illness', 'operator', 'other'];

/** Named places matching what the clerk types (GET /v1/places: the town's gazetteer). */
function AddressSearch({ lang, api, onChange, testid, setLabel }) {
  const [query, setQuery] = useState('');
  const [found, setFound] = useState(null);
  async function search() {
    if (!query.trim()) return;
    try { setFound((await api.get(`/v1/places?query=${encodeURIComponent(query.trim())}`)).places); } catch { setFound([]); }
  }
  return html`<div class="address">
    <input placeholder=${t(lang, 'address_search')} data-testid=${`${testid}-address`} value=${query}
      onInput=${(e) => setQuery(e.target.value)} onKeyDown=${(e) => { if (e.key === 'Enter') { e.preventDefault(); search(); } }} />
    <button type="button" data-testid=${`${testid}-address-search`} onClick=${search}>${t(lang, 'search')}</button>
    ${found && html`<ul class="found" data-testid=${`${testid}-address-found`}>${found.map((p) => html`<li><button type="button"
      onClick=${() => { onChange({ lat: p.lat, lon: p.lon }); setLabel(p.name); setFound(null); }}>${p.name}</button>
      <small class="muted"> ${t(lang, `kind_${p.kind}`)}</small></li>`)}
      ${!found.length && html`<li class="muted">${t(lang, 'none')}</li>`}</ul>`}</div>`;
}

/** Where the rider boards and alights when the service meets them at meeting points. */
function Points({ lang, rec, testid }) {
  if (!rec.pickup_point && !rec.dropoff_point) return null;
  return html`<ul class="points" data-testid=${testid}>
    <li>📍 ${t(lang, 'board_at')}: <b>${rec.pickup_point ? pointText(rec.pickup_point, lang) : t(lang, 'at_door')}</b></li>
    <li>📍 ${t(lang, 'alight_at')}: <b>${rec.dropoff_point ? pointText(rec.dropoff_point, lang) : t(lang, 'at_door')}</b></li></ul>`;
}

function PlaceInput({ lang, label, value, onChange, places, picking, onPick, testid, api }) {
  const [text, setText] = useState('');
  const [named, setNamed] = useState(null);
  const chosen = Object.entries(places).find(([, p]) => value && p.lat === value.lat && p.lon === value.lon);
  return html`<fieldset class="place" data-testid=${testid}>
    <legend>${label}</legend>
    <select data-testid=${`${testid}-place`} value=${chosen ? chosen[0] : ''}
      onChange=${(e) => places[e.target.value] && onChange(places[e.target.value])}>
      <option value="">${t(lang, 'place')}…</option>
      ${Object.keys(places).map((n) => html`<option value=${n}>${n}</option>`)}
    </select>
    <button type="button" class=${picking ? 'active' : ''} data-testid=${`${testid}-pick`} onClick=${onPick}>${t(lang, 'pick_on_map')}</button>
    <input placeholder=${t(lang, 'address')} value=${text} data-testid=${`${testid}-latlon`}
      onInput=${(e) => { setText(e.target.value); const p = parseLatLon(e.target.value); if (p) onChange(p); }} />
    <${AddressSearch} lang=${lang} api=${api} testid=${testid} setLabel=${setNamed}
      onChange=${onChange} />
    <div class="chosen" data-testid=${`${testid}-chosen`}>${value ? (chosen ? chosen[0]
      : named && value ? `${named} (${value.lat.toFixed(5)}, ${value.lon.toFixed(5)})` : `${value.lat.toFixed(5)}, ${value.lon.toFixed(5)}`) : '—'}</div>
  </fieldset>`;
}

export function Booking({ lang, state, api, remember, role, focus }) {
  const tz = state.service ? state.service.timezone : 'Asia/Tokyo';
  const places = (state.service && state.service.places) || {};
  const days = (state.service && state.service.operating_days) || [];
  const [query, setQuery] = useState('');
  const [found, setFound] = useState(null);
  const [rider, setRider] = useState(null);
  const [reg, setReg] = useState({ name: '', name_kana: '', phone: '', needs_wheelchair: false, notes: '' });
  const [trip, setTrip] = useState({ origin: null, destination: null, passengers: 1, wheelchair: false,
    date: '', time: '09:00', mode: 'pickup_after' });
  const [picking, setPicking] = useState(null);
  const [offer, setOffer] = useState(null);
  const [refusal, setRefusal] = useState(null);
  const [booking, setBooking] = useState(null);
  const [outbound, setOutbound] = useState(null);
  const [standing, setStanding] = useState({ on: false, weekdays: [], first_date: '', last_date: '' });
  const [standingDone, setStandingDone] = useState(null);
  const [mine, setMine] = useState([]);
  const [reason, setReason] = useState('rider_request');
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [msg, setMsg] = useState(null);

  useEffect(() => { if (!trip.date && days.length) setTrip((x) => ({ ...x, date: days[0].date })); }, [days.length]);
  useEffect(() => { if (rider) loadMine(); }, [rider, state.bookings]);
  useEffect(() => { if (focus && focus.cancel) loadMine(); }, [focus]);

  async function loadMine() {
    const all = (await api.get('/v1/bookings?limit=500')).bookings;
    setMine(all.filter((b) => (rider && b.rider_id === rider.id) || (focus && b.id === focus.cancel)));
  }

  async function search() {
    setMsg(null);
    const local = Object.values(state.riders).filter((r) =>
      `${r.name} ${r.phone || ''}`.toLowerCase().includes(query.toLowerCase()));
    let remote = [];
    try {
      const res = await api.get(`/v1/riders?query=${encodeURIComponent(query)}`);
      remote = res.riders || res || [];
    } catch { /* rider search arrives with the people-and-vans issue */ }
    const all = Object.values(Object.fromEntries([...remote, ...local].map((r) => [r.id, r])));
    setFound(all);
    if (!all.length) setReg((r) => ({ ...r, [/^[\d-+ ]+$/.test(query) ? 'phone' : 'name']: query }));
  }

  function select(r) {
    remember(r); setRider(r); setFound(null);
    setTrip((x) => ({ ...x, wheelchair: !!r.needs_wheelchair }));
  }

  async function register() {
    setBusy(true);
    try {
      const body = { name: reg.name, name_kana: reg.name_kana || null, phone: reg.phone || null,
        needs_wheelchair: reg.needs_wheelchair, notes: reg.notes || null };
      const r = await api.post('/v1/riders', body);
      delete r.token; // the rider's own token is not the clerk's business; the rider app gets its own
      select(r);
    } catch (e) { setMsg(e.message); }
    setBusy(false);
  }

  function mapClick(ll) {
    if (!picking) return;
    setTrip((x) => ({ ...x, [picking]: { lat: ll.lat, lon: ll.lng } }));
    setPicking(picking === 'origin' && !trip.destination ? 'destination' : null);
  }

  async function check(at) {
    setBusy(true); setOffer(null); setRefusal(null); setBooking(null); setMsg(null);
    const when = at || withOffset(`${trip.date}T${trip.time}`);
    const body = { rider_id: rider.id, origin: trip.origin, destination: trip.destination,
      passengers: Number(trip.passengers), wheelchair: trip.wheelchair, [trip.mode]: when };
    if (outbound) body.outbound_booking_id = outbound.id;
    try {
      const o = await api.post('/v1/offers', body);
      setOffer({ ...o, key: newKey() });
    } catch (e) {
      const err = (e.body && e.body.error) || {};
      const next = err.next_bookable || err.bookable_from || (err.alternative && err.alternative.pickup_after);
      setRefusal({ code: e.code, message: e.message, next });
    }
    setBusy(false);
  }

  async function confirm() {
    setBusy(true);
    try {
      const b = await api.post('/v1/bookings', { offer_id: offer.offer_id }, { 'Idempotency-Key': offer.key });
      setBooking(b); setOffer(null); setOutbound(null); loadMine();
    } catch (e) { setRefusal({ code: e.code, message: e.message }); }
    setBusy(false);
  }

  function startReturn() {
    setOutbound(booking);
    setTrip((x) => ({ ...x, origin: x.destination, destination: x.origin, mode: 'pickup_after',
      time: hhmm(booking.dropoff_by, tz) }));
    setBooking(null);
  }

  async function saveStanding() {
    setBusy(true); setMsg(null);
    try {
      const body = { rider_id: rider.id, origin: trip.origin, destination: trip.destination,
        passengers: Number(trip.passengers), wheelchair: trip.wheelchair, weekdays: standing.weekdays,
        [trip.mode]: trip.time, first_date: standing.first_date || trip.date,
        last_date: standing.last_date || null };
      setStandingDone(await api.post('/v1/standing-bookings', body));
    } catch (e) { setMsg(e.message); }
    setBusy(false);
  }

  async function cancel(b) {
    setBusy(true);
    try {
      await api.del(`/v1/bookings/${b.id}`, note.trim() ? { reason, note: note.trim() } : { reason });
      setMsg(`${t(lang, 'cancelled')}: ${b.id} (${t(lang, `reason_${reason}`)})`);
      setNote('');
      loadMine();
    } catch (e) { setMsg(e.message); }
    setBusy(false);
  }

  const ready = rider && trip.origin && trip.destination && trip.date && trip.time;
  const marks = [trip.origin && { ...trip.origin, label: t(lang, 'origin'), color: '#006400' },
    trip.destination && { ...trip.destination, label: t(lang, 'destination'), color: '#7a1fa2' }].filter(Boolean);

  return html`<div class="booking">
    <section class="form-col">
      <h2>1. ${t(lang, 'find_rider')}</h2>
      ${rider ? html`<div class="rider-chip" data-testid="selected-rider">
          <b>${rider.name}</b> ${rider.phone || ''} ${rider.needs_wheelchair ? '♿' : ''} ${rider.notes ? html`<small>${rider.notes}</small>` : ''}
          <button onClick=${() => { setRider(null); setMine([]); }}>×</button></div>`
        : html`<form class="row" onSubmit=${(e) => { e.preventDefault(); search(); }}>
          <input data-testid="rider-query" placeholder=${t(lang, 'search_hint')} value=${query} onInput=${(e) => setQuery(e.target.value)} />
          <button data-testid="rider-search">${t(lang, 'search')}</button></form>
        ${found && html`<ul class="found">${found.map((r) => html`<li><button onClick=${() => select(r)}>${r.name} ${r.name_kana ? `(${r.name_kana})` : ''} ${r.phone || ''}</button></li>`)}
          ${!found.length && html`<li class="muted">${t(lang, 'phone_not_found')}</li>`}</ul>`}
        ${found && role.can('riders') && html`<form class="register" onSubmit=${(e) => { e.preventDefault(); register(); }}>
          <input data-testid="reg-name" required placeholder=${t(lang, 'name')} value=${reg.name} onInput=${(e) => setReg({ ...reg, name: e.target.value })} />
          <input data-testid="reg-kana" placeholder=${t(lang, 'kana')} value=${reg.name_kana} onInput=${(e) => setReg({ ...reg, name_kana: e.target.value })} />
          <input data-testid="reg-phone" placeholder=${t(lang, 'phone')} value=${reg.phone} onInput=${(e) => setReg({ ...reg, phone: e.target.value })} />
          <label><input type="checkbox" checked=${reg.needs_wheelchair} onChange=${(e) => setReg({ ...reg, needs_wheelchair: e.target.checked })} /> ${t(lang, 'needs_wheelchair')}</label>
          <input data-testid="reg-notes" placeholder=${t(lang, 'notes')} value=${reg.notes} onInput=${(e) => setReg({ ...reg, notes: e.target.value })} />
          <button data-testid="reg-submit" disabled=${busy}>${t(lang, 'register_and_select')}</button></form>`}`}

      <h2>2. ${t(lang, 'trip')}${outbound ? ` (${t(lang, 'return_trip')}: ${outbound.id})` : ''}</h2>
      <${PlaceInput} lang=${lang} label=${t(lang, 'origin')} value=${trip.origin} places=${places} testid="origin" api=${api}
        picking=${picking === 'origin'} onPick=${() => setPicking('origin')} onChange=${(p) => setTrip({ ...trip, origin: p })} />
      <${PlaceInput} lang=${lang} label=${t(lang, 'destination')} value=${trip.destination} places=${places} testid="destination" api=${api}
        picking=${picking === 'destination'} onPick=${() => setPicking('destination')} onChange=${(p) => setTrip({ ...trip, destination: p })} />
      <div class="row">
        <select data-testid="trip-date" value=${trip.date} onChange=${(e) => setTrip({ ...trip, date: e.target.value })}>
          ${days.map((d) => html`<option value=${d.date}>${d.date}</option>`)}</select>
        <select data-testid="trip-mode" value=${trip.mode} onChange=${(e) => setTrip({ ...trip, mode: e.target.value })}>
          <option value="pickup_after">${t(lang, 'pickup_after')}</option>
          <option value="arrive_before">${t(lang, 'arrive_before')}</option></select>
        <input type="time" data-testid="trip-time" value=${trip.time} onInput=${(e) => setTrip({ ...trip, time: e.target.value })} />
      </div>
      <div class="row">
        <label>${t(lang, 'passengers')} <input type="number" min="1" max="9" class="narrow" value=${trip.passengers} onInput=${(e) => setTrip({ ...trip, passengers: e.target.value })} /></label>
        <label><input type="checkbox" checked=${trip.wheelchair} onChange=${(e) => setTrip({ ...trip, wheelchair: e.target.checked })} /> ${t(lang, 'wheelchair')}</label>
        <label><input type="checkbox" data-testid="standing-on" checked=${standing.on} onChange=${(e) => setStanding({ ...standing, on: e.target.checked })} /> ${t(lang, 'standing')}</label>
      </div>
      ${standing.on && html`<div class="row weekdays">${WEEKDAYS.map((w) => html`<label><input type="checkbox"
          checked=${standing.weekdays.includes(w)} onChange=${(e) => setStanding({ ...standing, weekdays: e.target.checked
            ? [...standing.weekdays, w] : standing.weekdays.filter((x) => x !== w) })} />${lang === 'ja' ? WD_JA[w] : w}</label>`)}
        <label>${t(lang, 'first_date')} <input type="date" value=${standing.first_date} onInput=${(e) => setStanding({ ...standing, first_date: e.target.value })} /></label>
        <label>${t(lang, 'last_date')} <input type="date" value=${standing.last_date} onInput=${(e) => setStanding({ ...standing, last_date: e.target.value })} /></label>
        <button class="primary" disabled=${!ready || busy || !standing.weekdays.length} onClick=${saveStanding}>${t(lang, 'standing')} ✓</button>
        ${standingDone && html`<div class="ok">${standingDone.id}: ${standingDone.rides.map((r) => `${r.date} ${r.booking_id || r.reason}`).join(', ')}</div>`}
      </div>`}
      ${!standing.on && html`<button class="primary big" data-testid="get-offer" disabled=${!ready || busy || !role.can('book')} onClick=${() => check()}>${t(lang, 'get_offer')}</button>`}

      ${refusal && html`<div class="refusal" data-testid="refusal"><b>${t(lang, 'refused')}</b>: ${refusal.code} — ${refusal.message}
        ${refusal.next && html`<div>${t(lang, 'alternative')}: <b>${refusal.next.slice(0, 10)} ${hhmm(refusal.next, tz)}</b>
          <button data-testid="use-alternative" onClick=${() => check(refusal.next)}>${t(lang, 'use_alternative')}</button></div>`}</div>`}
      ${offer && html`<div class="offer" data-testid="offer">
        <div>${t(lang, 'offer')}: <b class="window">${offer.service_date} ${hhmm(offer.pickup_window.start, tz)}–${hhmm(offer.pickup_window.end, tz)}</b>
          ${offer.window_final ? '' : ' *'} ¥${offer.fare}</div>
        <${Points} lang=${lang} rec=${offer} testid="offer-points" />
        <button class="primary big" data-testid="confirm" disabled=${busy} onClick=${confirm}>${t(lang, 'confirm')}</button></div>`}
      ${booking && html`<div class="booked" data-testid="booked">
        <div>${t(lang, 'booked')}: ${booking.id} (${booking.vehicle_id})</div>
        <${Points} lang=${lang} rec=${booking} testid="booked-points" />
        <p class="readback" data-testid="readback">${t(lang, 'read_back')}: 「${readBack(booking, lang, tz)}」</p>
        <button data-testid="start-return" onClick=${startReturn}>${t(lang, 'return_trip')}</button></div>`}
      ${msg && html`<div class="msg" data-testid="msg">${msg}</div>`}

      ${mine.length > 0 && html`<h2>${t(lang, 'bookings')}</h2>
        <div class="row"><label>${t(lang, 'cancel_reason')} <select data-testid="cancel-reason" value=${reason} onChange=${(e) => setReason(e.target.value)}>
          ${CANCEL_REASONS.map((r) => html`<option value=${r}>${t(lang, `reason_${r}`)}</option>`)}</select></label>
          <input data-testid="cancel-note" placeholder=${t(lang, 'cancel_note')} maxlength="500" value=${note} onInput=${(e) => setNote(e.target.value)} /></div>
        <ul class="mine">${mine.map((b) => html`<li>${b.service_date} ${hhmm(b.pickup_window.start, tz)}–${hhmm(b.pickup_window.end, tz)} ${b.id} <i data-testid=${`status-${b.id}`}>${b.status}</i>
          ${b.cancel_reason && html` <span class="muted" data-testid=${`cancel-reason-${b.id}`}>${t(lang, `reason_${b.cancel_reason}`)}${b.cancel_note ? `: ${b.cancel_note}` : ''}</span>`}
          ${b.outbound_booking_id ? ` ↩ ${b.outbound_booking_id}` : ''}${b.return_booking_id ? ` ↪ ${b.return_booking_id}` : ''}
          ${b.status === 'confirmed' && role.can('cancel') && html`<button onClick=${() => cancel(b)}>${t(lang, 'cancel')}</button>`}</li>`)}</ul>`}
    </section>
    <section class="map-col">
      ${picking && html`<div class="hint" data-testid="pick-hint">${t(lang, picking === 'origin' ? 'click_map_origin' : 'click_map_dest')}</div>`}
      <${LiveMap} state=${state} marks=${marks} onClick=${mapClick} testid="booking-map" />
    </section>
  </div>`;
}
