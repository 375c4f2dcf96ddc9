// The driver's page: the next stop in large type, its route on a small map, big report
// buttons, the rest of the day; position reported while open; reports queued offline.
import { html, render, useState, useEffect, useRef } from '../lib/ui.js';
import { t, savedLang } from '../lib/i18n.js';
import { createApi, newKey } from '../lib/api.js';
import { followEvents } from '../lib/sse.js';
import { ReportQueue } from '../lib/queue.js';
import { hhmm, pointAt, pointText } from '../lib/format.js';
import { roadMap } from '../lib/roadmap.js';
import { noShowAllowedAt, stopKey } from './wait.js';
import { routeFor } from './leg.js';
import { heldUntil, boardFromTime } from './board.js';

const KEY = 'maas.driver.session';
const queue = new ReportQueue(localStorage);

function SignIn({ lang, onSignIn, error, toggleLang }) {
  const params = new URLSearchParams(location.search);
  const [van, setVan] = useState(params.get('van') || '');
  const [token, setToken] = useState('');
  return html`<main class="signin"><h1>${t(lang, 'driver_title')}</h1>
    <form onSubmit=${(e) => { e.preventDefault(); onSignIn(van.trim(), token.trim()); }}>
      <label>${t(lang, 'vans')} ID<input data-testid="van" value=${van} onInput=${(e) => setVan(e.target.value)} /></label>
      <label>${t(lang, 'driver_token_hint')}<input type="password" data-testid="token" value=${token} onInput=${(e) => setToken(e.target.value)} /></label>
      <button class="primary big" data-testid="sign-in">${t(lang, 'sign_in')}</button>
      ${error && html`<div class="refusal">${t(lang, 'bad_token')}</div>`}
    </form><button class="lang" data-testid="lang" onClick=${toggleLang}>${t(lang, 'language')}</button></main>`;
}

function StopMap({ from, stop, leg }) {
  const el = useRef(null);
  const ctx = useRef(null);
  const now = useRef({ from, stop, leg });
  now.current = { from, stop, leg };
  useEffect(() => {
    roadMap(el.current, { zoomControl: false }).then((c) => { ctx.current = { ...c, layer: c.L.layerGroup().addTo(c.map) }; draw(); });
    return () => ctx.current && ctx.current.map.remove();
  }, []);
  function draw() {
    const c = ctx.current;
    const { from, stop, leg } = now.current; // the map loads after the first render: draw what is current
    if (!c || !stop) return;
    c.layer.clearLayers();
    const to = [stop.location.lat, stop.location.lon];
    c.L.circleMarker(to, { radius: 12, color: '#c00000', weight: 4, fillOpacity: 0.5 }).addTo(c.layer);
    const route = routeFor(leg, stop);
    el.current.dataset.routePoints = String(route.length);
    if (route.length > 1) { // the road to the stop (GET /v1/vehicles/{id}/next-leg)
      c.L.polyline(route, { color: '#005a9c', weight: 6, opacity: 0.85 }).addTo(c.layer);
      if (from) c.L.circleMarker([from.lat, from.lon], { radius: 8, color: '#005a9c', weight: 3, fillOpacity: 0.9 }).addTo(c.layer);
      c.map.fitBounds(from ? [...route, [from.lat, from.lon]] : route, { padding: [30, 30], maxZoom: 16 });
    } else if (from) {
      const a = [from.lat, from.lon];
      c.L.circleMarker(a, { radius: 8, color: '#005a9c', weight: 3, fillOpacity: 0.9 }).addTo(c.layer);
      c.L.polyline([a, to], { color: '#005a9c', weight: 4, dashArray: '8 6' }).addTo(c.layer);
      c.map.fitBounds([a, to], { padding: [30, 30], maxZoom: 16 });
    } else c.map.panTo(to);
  }
  useEffect(draw, [from, stop, leg]);
  return html`<div class="map small" data-testid="driver-map" ref=${el}></div>`;
}

function App() {
  const [lang, setLang] = useState(savedLang(localStorage));
  const [session, setSession] = useState(null);
  const [error, setError] = useState(false);
  const [manifest, setManifest] = useState(null);
  const [crew, setCrew] = useState({});
  const [clock, setClock] = useState(null);
  const [online, setOnline] = useState(navigator.onLine);
  const [queued, setQueued] = useState(queue.items());
  const [arrivedAt, setArrivedAt] = useState({});
  const [done, setDone] = useState({});
  const [gps, setGps] = useState(null);
  const [leg, setLeg] = useState(null);
  const [, tick] = useState(0);
  const toggleLang = () => { const n = lang === 'ja' ? 'en' : 'ja'; localStorage.setItem('maas.lang', n); setLang(n); };
  useEffect(() => { document.documentElement.lang = lang; }, [lang]);

  async function signIn(van, token) {
    const api = createApi(token);
    try {
      await api.get(`/v1/vehicles/${encodeURIComponent(van)}/manifest`);
      sessionStorage.setItem(KEY, JSON.stringify({ van, token }));
      setError(false); setSession({ van, api });
    } catch { setError(true); }
  }
  useEffect(() => { const s = sessionStorage.getItem(KEY); if (s) { const { van, token } = JSON.parse(s); signIn(van, token); } }, []);

  async function load() {
    if (!session) return;
    try {
      const [m, c] = await Promise.all([session.api.get(`/v1/vehicles/${session.van}/manifest`), session.api.get('/v1/clock')]);
      setManifest(m); setClock({ server: new Date(c.now).getTime(), local: Date.now() });
      loadCrew(); loadLeg();
    } catch { /* offline: keep what we have */ }
  }

  async function loadCrew() {
    try {
      const r = await session.api.get(`/v1/vehicles/${session.van}/riders`);
      setCrew(Object.fromEntries(r.riders.map((x) => [x.booking_id, x])));
    } catch { /* keep the names we have */ }
  }

  async function loadLeg() {
    try { setLeg(await session.api.get(`/v1/vehicles/${session.van}/next-leg`)); } catch { /* keep the last one */ }
  }

  async function send(item) {
    try {
      const res = await fetch(item.path, { method: 'POST', headers: { Authorization: `Bearer ${session.api.token}`,
        'Content-Type': 'application/json', 'Idempotency-Key': item.key }, body: JSON.stringify(item.body) });
      return { ok: res.ok, status: res.status, error: res.ok ? null : await res.text() };
    } catch { return { ok: false, status: 0 }; }
  }
  async function flush() {
    if (!session) return;
    await queue.flush(send);
    setQueued(queue.items());
    load();
  }

  useEffect(() => {
    if (!session) return undefined;
    load(); flush();
    const stop = followEvents(session.api.token, (ev) => { if (ev.event === 'manifest') { setManifest(ev.data); loadCrew(); loadLeg(); } else load(); });
    const on = () => { setOnline(true); flush(); };
    const off = () => setOnline(false);
    window.addEventListener('online', on); window.addEventListener('offline', off);
    const timer = setInterval(() => { tick((x) => x + 1); if (navigator.onLine) flush(); }, 5000);
    let watch = null;
    if (navigator.geolocation) {
      watch = navigator.geolocation.watchPosition((p) => {
        setGps({ lat: p.coords.latitude, lon: p.coords.longitude });
        if (!navigator.onLine) return; // a stale position is not worth queueing
        send({ path: `/v1/vehicles/${session.van}/position`, key: newKey(),
          body: { lat: p.coords.latitude, lon: p.coords.longitude, at: serverNowIso() } });
      }, () => setGps(false), { enableHighAccuracy: true, maximumAge: 15000 });
    }
    return () => { stop(); clearInterval(timer); window.removeEventListener('online', on); window.removeEventListener('offline', off);
      if (watch !== null) navigator.geolocation.clearWatch(watch); };
  }, [session]);

  function serverNow() { return clock ? clock.server + (Date.now() - clock.local) : Date.now(); }
  function serverNowIso() { return new Date(serverNow()).toISOString(); }

  function report(stop, type) {
    queue.add({ key: newKey(), path: `/v1/vehicles/${session.van}/stops/${stop.stop_id}/events`,
      body: { type }, label: `${t(lang, type)} ${stop.booking_id}`, at: serverNowIso() });
    setQueued(queue.items());
    if (type === 'arrived') setArrivedAt({ ...arrivedAt, [stopKey(stop)]: serverNow() });
    else setDone({ ...done, [stopKey(stop)]: type });
    if (navigator.onLine) flush();
  }

  // A parcel stop (貨客混載) says what to load or hand over instead of who boards.
  function cargoText(s) {
    if (!s.parcel) return `${s.passengers}${t(lang, 'passengers')}${s.wheelchair ? ' ♿' : ''}`;
    return `📦 ${t(lang, 'parcel')} ${s.parcel.kg} kg · ${s.parcel.litres} l${s.parcel.returning ? ' · ↩ ' + t(lang, 'returning') : ''}`;
  }

  const stops = manifest ? manifest.stops.filter((s) => !done[stopKey(s)])
    .map((s) => ({ ...s, ...(crew[s.booking_id] || {}), passengers: s.passengers })) : [];
  const next = stops[0];
  const rest = stops.slice(1);
  // A held boarding opens the pick-up button at its time, not at the next 5 s tick.
  const held = heldUntil(next, serverNow());
  useEffect(() => {
    if (held === null) return undefined;
    const timer = setTimeout(() => tick((x) => x + 1), held - serverNow() + 50);
    return () => clearTimeout(timer);
  }, [held]);
  if (!session) return html`<${SignIn} lang=${lang} onSignIn=${signIn} error=${error} toggleLang=${toggleLang} />`;
  const allowedAt = next ? noShowAllowedAt(arrivedAt[stopKey(next)]) : null;
  const waitOver = allowedAt !== null && serverNow() >= allowedAt;
  return html`<div class="driver">
    <header><b>${session.van}</b>
      <span class=${online ? 'dot live' : 'dot reconnecting'} data-testid="online">${t(lang, online ? 'online' : 'offline')}</span>
      <span class="gps" title=${gps ? t(lang, 'gps_on') : t(lang, 'gps_off')}>${gps ? 'GPS ✓' : gps === false ? 'GPS ✕' : ''}</span>
      <button class="lang" data-testid="lang" onClick=${toggleLang}>${t(lang, 'language')}</button></header>
    <section class="queue" data-testid="queue">${queued.length
      ? html`<b>${t(lang, 'queued')}: <span data-testid="queued-count">${queued.length}</span></b><ol>${queued.map((q) => html`<li>${q.label}</li>`)}</ol>`
      : html`<span data-testid="queued-count" data-count="0">${t(lang, 'all_sent')}</span>`}</section>
    ${next ? html`<section class="next" data-testid="next-stop">
        <div class="label">${t(lang, 'next_stop')} · ${hhmm(next.planned_at)}</div>
        <div class="what">${next.type === 'pickup' ? '▲ ' + t(lang, 'pickup') : '▼ ' + t(lang, 'dropoff')}</div>
        ${held !== null && html`<div class="hold" data-testid="board-from"><b>${t(lang, 'board_from', { time: boardFromTime(next.board_from) })}</b>
          <div>${t(lang, 'board_wait')}</div></div>`}
        ${pointAt(next.type, next) && html`<div class="point" data-testid="next-point">📍 ${pointText(pointAt(next.type, next), lang)}</div>`}
        <div class="who" data-testid="next-rider">${next.parcel ? cargoText(next) : html`${next.rider_name || ''} · ${next.passengers}${t(lang, 'passengers')}${next.wheelchair ? ' · ♿' + t(lang, 'wheelchair') : ''}`}
          ${next.phone && html` <a class="call" href=${`tel:${next.phone}`}>☎ ${next.phone}</a>`}
          ${next.notes && html`<div class="notes">${next.notes}</div>`}
          <small class="bid">${next.booking_id}</small></div>
        <${StopMap} from=${gps || null} stop=${next} leg=${leg} />
        <div class="buttons">
          <button class="big" data-testid="arrived" disabled=${!!arrivedAt[stopKey(next)]} onClick=${() => report(next, 'arrived')}>${t(lang, 'arrived')}</button>
          ${next.type === 'pickup' ? html`
            <button class="big primary" data-testid="picked-up" disabled=${held !== null} onClick=${() => report(next, 'picked_up')}>${t(lang, 'picked_up')}
              ${held !== null ? html`<small> (${t(lang, 'from_time', { time: boardFromTime(next.board_from) })})</small>` : ''}</button>
            ${next.parcel ? '' : html`<button class="big warn" data-testid="no-show" disabled=${!waitOver} onClick=${() => report(next, 'no_show')}>${t(lang, 'no_show')}
              ${arrivedAt[stopKey(next)] && !waitOver ? html`<small> (${t(lang, 'wait_until')} ${Math.ceil((allowedAt - serverNow()) / 1000)}s)</small>` : ''}</button>`}`
            : html`<button class="big primary" data-testid="dropped-off" onClick=${() => report(next, 'dropped_off')}>${t(lang, 'dropped_off')}</button>
              ${next.parcel && !next.parcel.returning ? html`<button class="big warn" data-testid="not-home" onClick=${() => report(next, 'not_home')}>${t(lang, 'not_home')}</button>` : ''}`}
        </div></section>`
      : html`<section class="next muted" data-testid="next-stop">${t(lang, 'no_stops')}</section>`}
    <section class="rest"><h2>${t(lang, 'rest_of_day')}</h2><ol data-testid="rest">${rest.map((s) => html`<li>
      <b>${hhmm(s.planned_at)}</b> ${s.type === 'pickup' ? '▲' : '▼'} ${s.parcel ? '' : s.rider_name || s.booking_id} ${cargoText(s)}${pointAt(s.type, s) ? ` · 📍 ${pointAt(s.type, s).name}` : ''}</li>`)}</ol></section>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
