// The road to the next stop (GET /v1/vehicles/{id}/next-leg), as the small map draws it.

/** The leg's polyline ([lat, lon] pairs) when it leads to this stop; an older leg (the stop
 * was reported meanwhile) or one closures cut off is not drawn. */
export function routeFor(leg, stop) {
  return leg && stop && leg.stop_id === stop.stop_id && leg.reachable ? leg.path : [];
}
