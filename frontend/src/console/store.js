// The console's view of today: everything read from the API, re-read when the event stream
// says something changed (debounced), and every 30 s in case the stream dropped.
import { localDate } from '../lib/format.js';

export function createStore(api, onChange) {
  const s = {
    service: null, clock: null, days: [], vehicles: [], bookings: [], manifests: {},
    riders: {}, closures: [], risks: [], silent: {}, welfare: [], events: 'reconnecting', today: null, error: null,
  };
  let timer = null;

  async function load() {
    try {
      const [service, clock, days] = await Promise.all([
        api.get('/v1/service'), api.get('/v1/clock'), api.get('/v1/days')]);
      s.service = service; s.clock = clock; s.days = days.days;
      const tz = service.timezone;
      const today = localDate(clock.now, tz);
      const open = days.days.map((d) => d.date);
      s.today = open.includes(today) ? today : (open[0] || today);
      const q = `?date=${s.today}`;
      const [vehicles, bookings, closures] = await Promise.all([
        api.get(`/v1/vehicles${q}`).catch(() => ({ vehicles: [] })),
        api.get(`/v1/bookings?service_date=${s.today}&limit=500`).catch(() => ({ bookings: [] })),
        api.get('/v1/closures').catch(() => ({ closures: [] })),
      ]);
      // what POST answered (the rides it hit) is kept beside the list of those in force
      const hit = Object.fromEntries(s.closures.map((c) => [c.id, c]));
      s.closures = closures.closures.filter((c) => c.geometry).map((c) => ({
        affected_bookings: [], promises_at_risk: [], ...hit[c.id], ...c }));
      s.vehicles = vehicles.vehicles; s.bookings = bookings.bookings;
      const manifests = await Promise.all(s.vehicles.map((v) =>
        api.get(`/v1/vehicles/${v.id}/manifest${q}`).catch(() => ({ vehicle_id: v.id, stops: [] }))));
      s.manifests = Object.fromEntries(manifests.map((m) => [m.vehicle_id, m]));
      // the riders of today's bookings, for names and phone numbers on the timeline and alerts
      const unknown = [...new Set(s.bookings.map((b) => b.rider_id).filter((r) => r && !s.riders[r]))];
      const riders = await Promise.all(unknown.slice(0, 100).map((id) => api.get(`/v1/riders/${id}`).catch(() => null)));
      for (const r of riders) if (r) s.riders[r.id] = r;
      s.error = null;
    } catch (e) {
      s.error = e.message;
    }
    onChange({ ...s });
  }

  function soon() {
    clearTimeout(timer);
    timer = setTimeout(load, 300);
  }

  function onEvent(ev) {
    if (ev.event === 'promise_at_risk') {
      s.risks = [{ booking_id: ev.data.booking_id, detail: ev.data.detail, id: ev.id,
        pickup_estimate: ev.data.pickup_estimate },
        ...s.risks.filter((r) => r.booking_id !== ev.data.booking_id)];
    }
    if (ev.event === 'vehicle_silent') s.silent[ev.data.vehicle_id] = ev.data;
    // a no-show of a rider living alone or elderly: call them, then their contact person
    if (ev.event === 'welfare_alert') {
      s.welfare = [ev.data, ...s.welfare.filter((w) => w.booking_id !== ev.data.booking_id)];
    }
    if (ev.event === 'picked_up' || ev.event === 'booking_cancelled' || ev.event === 'promise_recovered') {
      s.risks = s.risks.filter((r) => r.booking_id !== ev.data.booking_id);
    }
    soon();
  }

  function remember(rider) { s.riders[rider.id] = rider; onChange({ ...s }); }
  function addClosure(c) { s.closures = [c, ...s.closures]; onChange({ ...s }); }
  function setEvents(state) { s.events = state; onChange({ ...s }); }
  function dismissRisk(id) { s.risks = s.risks.filter((r) => r.booking_id !== id); onChange({ ...s }); }
  function dismissWelfare(id) { s.welfare = s.welfare.filter((w) => w.booking_id !== id); onChange({ ...s }); }

  setInterval(load, 30000);
  return { load, soon, onEvent, remember, addClosure, setEvents, dismissRisk, dismissWelfare, state: s };
}

/** Alerts from the state: welfare alerts first (welfare_alert events: a rider living alone
 * or elderly did not show, with the contact person; until dismissed), promises at risk
 * (promise_at_risk events until promise_recovered, pickup or cancel), vans silent (vehicle_silent events, or no position for `silentMinutes`
 * with stops ahead), and standing rides a day could not serve. */
export function alertsOf(s, nowIso, silentMinutes = 10) {
  const out = [];
  const byId = Object.fromEntries(s.bookings.map((b) => [b.id, b]));
  for (const w of s.welfare || []) {
    out.push({ kind: 'welfare', booking_id: w.booking_id, rider_id: w.rider_id, name: w.rider_name,
      phone: w.phone, contact_name: w.contact_name, contact_phone: w.contact_phone, reason: w.reason });
  }
  for (const r of s.risks) {
    const b = byId[r.booking_id];
    out.push({ kind: 'at_risk', booking_id: r.booking_id, rider_id: b && b.rider_id, detail: r.detail,
      pickup_estimate: r.pickup_estimate });
  }
  const now = new Date(nowIso).getTime();
  for (const v of s.vehicles) {
    if (!v.next_stops.length) continue;
    const at = v.position_at ? new Date(v.position_at).getTime() : null;
    const firstStop = new Date(v.next_stops[0].planned_at).getTime();
    // never heard from: an alert once its first stop is near; heard from: once it goes quiet
    const reported = (s.silent || {})[v.id];
    // the dispatcher's vehicle_silent event, until the van reports again; else the page's own rule
    const heard = reported && at !== null && at > new Date(reported.last_report_at).getTime();
    const silent = (reported && !heard)
      || (at === null ? firstStop - now < 15 * 60000 : now - at > silentMinutes * 60000);
    if (silent) {
      out.push({ kind: 'silent', vehicle_id: v.id, name: v.name, since: v.position_at });
    }
  }
  for (const d of s.days) {
    for (const u of d.standing_unserved || []) {
      out.push({ kind: 'unserved', date: u.date, reason: u.reason, message: u.message });
    }
  }
  return out;
}

/** Per van, its manifest stops with the booking's rider and the load after each stop. */
export function timelineOf(manifest, vehicle, bookings) {
  const byId = Object.fromEntries(bookings.map((b) => [b.id, b]));
  let load = vehicle ? vehicle.load.passengers : 0;
  return (manifest ? manifest.stops : []).map((stop) => {
    load += stop.type === 'pickup' ? stop.passengers : -stop.passengers;
    return { ...stop, booking: byId[stop.booking_id] || null, load_after: Math.max(load, 0) };
  });
}
