// A held boarding (the manifest's board_from, docs/operations.md "A van early at a pickup"):
// the van is early and boarding at once would break the plan, so the rider boards at that
// time. The page shows the time and keeps the pick-up button shut until then.
import { hhmm } from '../lib/format.js';

/** The moment (ms) this stop's boarding is held until, or null: not held, not a pickup, or
 * the time has come by ``nowMs`` (the page's server clock). */
export function heldUntil(stop, nowMs) {
  if (!stop || stop.type !== 'pickup' || !stop.board_from) return null;
  const at = Date.parse(stop.board_from);
  return Number.isFinite(at) && nowMs < at ? at : null;
}

/** The held time as the page shows it, on the service's local clock, rounded up to the
 * minute: the time shown is never before the button opens (09:39:30 shows "09:40"). */
export function boardFromTime(iso, tz = 'Asia/Tokyo') {
  const up = Math.ceil(Date.parse(iso) / 60000) * 60000;
  return hhmm(new Date(up).toISOString(), tz);
}
