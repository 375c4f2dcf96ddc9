// When a no-show may be reported: the policy's wait after the driver reported arriving
// (the demo's policy: 3 minutes; GET /v1/service does not publish it yet).
export const NO_SHOW_WAIT_MS = 3 * 60 * 1000;

export function noShowAllowedAt(arrivedAtMs, waitMs = NO_SHOW_WAIT_MS) {
  return arrivedAtMs === undefined || arrivedAtMs === null ? null : arrivedAtMs + waitMs;
}
