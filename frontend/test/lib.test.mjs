// Unit tests of the pages' pure modules (node --test; the browser tests cover the pages).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSSE } from '../src/lib/sse.js';
import { ReportQueue } from '../src/lib/queue.js';
import { t, keys, savedLang } from '../src/lib/i18n.js';
import { readBack, withOffset, hhmm } from '../src/lib/format.js';
import { can } from '../src/lib/roles.js';
import { closureBody } from '../src/lib/closure.js';
import { alertsOf, timelineOf } from '../src/console/store.js';

class Mem { constructor() { this.m = {}; } getItem(k) { return this.m[k] ?? null; } setItem(k, v) { this.m[k] = v; } }

test('parseSSE splits complete events and keeps the rest', () => {
  const [evs, rest] = parseSSE('id: 1-0\nevent: manifest\ndata: {"a":1}\n\n: ping\n\nid: 2-0\nevent: x\ndata: par');
  assert.deepEqual(evs, [{ id: '1-0', event: 'manifest', data: '{"a":1}' }]);
  assert.equal(rest, 'id: 2-0\nevent: x\ndata: par');
});

test('the queue sends in order, keeps all on a network failure, drops a refused report', async () => {
  const q = new ReportQueue(new Mem());
  q.add({ key: 'a' }); q.add({ key: 'b' }); q.add({ key: 'c' });
  const sent = [];
  assert.equal(await q.flush(async (i) => { if (i.key === 'b') return { ok: false, status: 0 }; sent.push(i.key); return { ok: true }; }), 1);
  assert.deepEqual(q.items().map((i) => i.key), ['b', 'c']);
  assert.equal(await q.flush(async (i) => (i.key === 'b' ? { ok: false, status: 409 } : (sent.push(i.key), { ok: true }))), 1);
  assert.deepEqual(sent, ['a', 'c']);
  assert.equal(q.items().length, 0);
  assert.equal(q.failed[0].key, 'b');
});

test('every Japanese string has an English one and the reverse', () => {
  assert.deepEqual(keys('ja').sort(), keys('en').sort());
  assert.equal(t('ja', 'confirm'), '予約を確定');
  assert.equal(t('en', 'confirm'), 'Confirm booking');
  assert.equal(savedLang(new Mem()), 'ja');
});

test('the read-back names the day and the window in the town time', () => {
  const b = { service_date: '2026-12-07', window_final: true,
    pickup_window: { start: '2026-12-07T09:35:00+09:00', end: '2026-12-07T09:45:00+09:00' } };
  assert.equal(readBack(b, 'ja'), '12月7日(月) 09:35から09:45の間にお迎えに参ります。');
  assert.match(readBack({ ...b, window_final: false }, 'en'), /Mon 7\/12 between 09:35 and 09:45 \(we will/);
  assert.equal(withOffset('2026-12-07T09:30'), '2026-12-07T09:30:00+09:00');
  assert.equal(hhmm('2026-12-07T00:05:00Z'), '09:05');
});

test('roles: a viewer may not book or close roads', () => {
  assert.ok(can('operator', 'book'));
  assert.ok(!can('viewer', 'book'));
  assert.ok(!can('viewer', 'close_road'));
  assert.ok(can('dispatcher', 'close_road'));
  assert.ok(!can('dispatcher', 'staff'));
});

test('a drawn area is a closed GeoJSON ring in lon,lat order', () => {
  const body = closureBody('Polygon', [{ lat: 1, lon: 2 }, { lat: 3, lon: 4 }, { lat: 5, lon: 6 }], null);
  assert.deepEqual(body, { geometry: { type: 'Polygon', coordinates: [[[2, 1], [4, 3], [6, 5], [2, 1]]] } });
});

test('alerts and timelines from the state', () => {
  const s = { risks: [{ booking_id: 'b1' }], bookings: [{ id: 'b1', rider_id: 'r1' }], days: [
    { standing_unserved: [{ date: '2026-12-08', reason: 'no_vehicle' }] }],
  vehicles: [{ id: 'v1', name: '1', position_at: '2026-12-07T08:00:00+09:00', load: { passengers: 1 },
    next_stops: [{ planned_at: '2026-12-07T08:30:00+09:00' }] }] };
  const kinds = alertsOf(s, '2026-12-07T08:20:00+09:00').map((a) => a.kind);
  assert.deepEqual(kinds, ['at_risk', 'silent', 'unserved']);
  assert.equal(alertsOf(s, '2026-12-07T08:05:00+09:00').filter((a) => a.kind === 'silent').length, 0);
  const quiet = { ...s, risks: [], days: [], silent: { v1: { last_report_at: '2026-12-07T08:00:00+09:00' } } };
  assert.deepEqual(alertsOf(quiet, '2026-12-07T08:05:00+09:00').map((a) => a.kind), ['silent']);
  const heard = { ...quiet, vehicles: [{ ...s.vehicles[0], position_at: '2026-12-07T08:04:00+09:00' }] };
  assert.deepEqual(alertsOf(heard, '2026-12-07T08:05:00+09:00'), []);
  const cared = { ...quiet, silent: {}, welfare: [{ booking_id: 'b9', rider_id: 'r9', rider_name: 'Kato',
    contact_name: 'Kato Jiro', contact_phone: '090', reason: 'lives alone' }] };
  const welfare = alertsOf(cared, '2026-12-07T08:05:00+09:00');
  assert.deepEqual(welfare.map((a) => [a.kind, a.contact_name]), [['welfare', 'Kato Jiro']]);
  const tl = timelineOf({ stops: [{ type: 'pickup', passengers: 2, booking_id: 'b1' }, { type: 'dropoff', passengers: 1, booking_id: 'b0' }] },
    { load: { passengers: 1 } }, s.bookings);
  assert.deepEqual(tl.map((x) => x.load_after), [3, 2]);
  assert.equal(tl[0].booking.rider_id, 'r1');
});

test('a week edited in the form becomes the PUT body; a day without hours is off', async () => {
  const { weekBody, rowsOf } = await import('../src/lib/forms.js');
  const body = weekBody({ mon: { start: '07:00', end: '18:00', break_start: '11:30', break_end: '12:30', minutes: '30' },
    tue: { start: '09:00', end: '' }, wed: { start: '08:00', end: '12:00', break_start: '10:00', break_end: '', minutes: '15' } });
  assert.deepEqual(body.week.mon, { start: '07:00', end: '18:00', break: { earliest: '11:30', latest: '12:30', minutes: 30 } });
  assert.equal(body.week.tue, null);
  assert.deepEqual(body.week.wed, { start: '08:00', end: '12:00', break: null });
  assert.equal(body.week.sun, null);
  assert.deepEqual(weekBody(rowsOf(body.week)), body);
});

test('audit filters leave empty ones out; figures print as the page shows them', async () => {
  const { auditQuery, figure } = await import('../src/lib/forms.js');
  assert.equal(auditQuery({ actor: 's_1', action: '', since: null }), '/v1/audit?actor=s_1&limit=200');
  assert.equal(figure(null), '—');
  assert.equal(figure(1234), '1,234');
  assert.equal(figure(0.12345), '0.12');
});

test('the driver map draws only the leg that leads to the next stop', async () => {
  const { routeFor } = await import('../src/driver/leg.js');
  const leg = { stop_id: 'b1:pickup', reachable: true, path: [[43, 142], [43.1, 142.1]] };
  assert.deepEqual(routeFor(leg, { stop_id: 'b1:pickup' }), leg.path);
  assert.deepEqual(routeFor(leg, { stop_id: 'b2:pickup' }), []);
  assert.deepEqual(routeFor({ ...leg, reachable: false }, { stop_id: 'b1:pickup' }), []);
  assert.deepEqual(routeFor(null, { stop_id: 'b1:pickup' }), []);
});

test('a van edit sends only what changed; refusals name the day or the rides', async () => {
  const { vanPatch, refusalText, vanIds } = await import('../src/lib/forms.js');
  const rec = { name: '1号車', seats: 8, wheelchair_places: 1 };
  assert.equal(vanPatch(rec, { name: '1号車', seats: '8', wheelchair_places: '1' }), null);
  assert.deepEqual(vanPatch(rec, { name: ' 1号車（新） ', seats: '6', wheelchair_places: '1' }), { name: '1号車（新）', seats: 6 });
  assert.deepEqual(vanPatch(rec, { name: '', seats: '', wheelchair_places: '0' }), { wheelchair_places: 0 });
  assert.equal(vanPatch(rec, { name: '1号車', seats: '2.5', wheelchair_places: '1' }), null);
  const err = { code: 'vehicle_has_rides', message: 'move them', body: { error: { rides: { '2026-12-08': ['b_1', 'b_2'] } } } };
  assert.equal(refusalText(err), 'vehicle_has_rides: move them (2026-12-08: b_1, b_2)');
  assert.equal(refusalText({ code: 'vehicle_change_infeasible', message: 'breaks 2026-12-08', body: {} }),
    'vehicle_change_infeasible: breaks 2026-12-08');
  assert.deepEqual(vanIds([{ id: 'v1' }, { id: 'v2' }], [{ id: 'v2' }, { id: 'v_x' }]), ['v1', 'v2', 'v_x']);
});

test('meeting points: the stop end picks its point, the read-back names it', async () => {
  const { pointAt, pointText } = await import('../src/lib/format.js');
  const rec = { pickup_point: { name: '駅前', walk_m: 120 }, dropoff_point: { name: '診療所前', walk_m: 0 } };
  assert.equal(pointAt('pickup', rec).name, '駅前');
  assert.equal(pointAt('dropoff', rec).name, '診療所前');
  assert.equal(pointAt('pickup', { pickup_point: null }), null);
  assert.equal(pointText(rec.pickup_point, 'ja'), '駅前 (徒歩120 m)');
  assert.equal(pointText(rec.dropoff_point, 'en'), '診療所前');
  const b = { service_date: '2026-12-07', pickup_window: { start: '2026-12-07T09:35:00+09:00', end: '2026-12-07T09:45:00+09:00' },
    window_final: true, pickup_point: rec.pickup_point };
  assert.equal(readBack(b, 'ja'), '12月7日(月) 09:35から09:45の間に「駅前」でお迎えに参ります。');
  assert.equal(readBack({ ...b, pickup_point: null }, 'ja'), '12月7日(月) 09:35から09:45の間にお迎えに参ります。');
  assert.match(readBack(b, 'en'), /^We will pick you up at 駅前 on Mon 7\/12 between 09:35 and 09:45\.$/);
});

test('a parcel riding back is a stop of its own on the driver page', async () => {
  const { stopKey } = await import('../src/driver/wait.js');
  assert.equal(stopKey({ stop_id: 'p1~dropoff', parcel: { returning: false } }), 'p1~dropoff');
  assert.equal(stopKey({ stop_id: 'p1~dropoff', parcel: { returning: true } }), 'p1~dropoff:back');
  assert.equal(stopKey({ stop_id: 'b1~pickup' }), 'b1~pickup');
});

test('the report shows parcels only for months that had them', async () => {
  const { hasParcels, PARCEL_FIGURES } = await import('../src/lib/report.js');
  const month = (n) => ({ parcels: { handed_in: n } });
  assert.equal(hasParcels({ current: month(0), previous: month(0) }), false);
  assert.equal(hasParcels({ current: month(0), previous: month(3) }), true);
  assert.equal(hasParcels({ current: { }, previous: { } }), false);  // a report before v3
  assert.equal(hasParcels(null), false);
  for (const f of PARCEL_FIGURES) {
    assert.ok(t('ja', `parcel_${f}`) !== `parcel_${f}` && t('en', `parcel_${f}`) !== `parcel_${f}`, f);
  }
});

test('a held boarding shuts the pick-up until board_from and names the minute it opens', async () => {
  const { heldUntil, boardFromTime } = await import('../src/driver/board.js');
  const stop = { type: 'pickup', board_from: '2026-12-07T09:39:30+09:00' };
  const at = Date.parse(stop.board_from);
  assert.equal(heldUntil(stop, at - 60000), at);
  assert.equal(heldUntil(stop, at), null);  // the time has come: the button opens
  assert.equal(heldUntil({ ...stop, board_from: null }, at - 60000), null);
  assert.equal(heldUntil({ ...stop, type: 'dropoff' }, at - 60000), null);
  assert.equal(heldUntil(undefined, at), null);
  assert.equal(boardFromTime(stop.board_from), '09:40');  // never shown before it opens
  assert.equal(boardFromTime('2026-12-07T00:40:00Z'), '09:40');
  assert.equal(t('ja', 'board_from', { time: '09:40' }), '乗車は 09:40 から');
  assert.equal(t('en', 'board_from', { time: '09:40' }), 'Boarding from 09:40');
});
