// When a no-show may be reported: the policy's wait after the driver reported arriving
// (the demo's policy: 3 minutes; GET /v1/service does not publish it yet).
export const NO_SHOW_WAIT_MS = 3 * 60 * 1000;

export function noShowAllowedAt(arrivedAtMs, waitMs = NO_SHOW_WAIT_MS) {
  return arrivedAtMs === undefined || arrivedAtMs === null ? null : arrivedAtMs + waitMs;
}

/** What the page remembers a report by: the stop, and for a parcel riding back after
 * "nobody home" its return (the API keeps the stop id; the return is a stop still to make). */
export function stopKey(stop) {
  return stop.parcel && stop.parcel.returning ? `${stop.stop_id}:back` : stop.stop_id;
}
