// The monthly report's pure parts (no DOM, no UI library): which parcel figures the page
// shows, and whether a report has parcels to show.

// The month's parcels (貨客混載), shown when the month or the one before had any.
export const PARCEL_FIGURES = ['handed_in', 'delivered', 'returned', 'cancelled', 'undelivered',
  'delivered_share', 'on_time_share', 'kg_delivered', 'direct_km_delivered'];

export function hasParcels(report) {
  const n = (m) => (m && m.parcels ? m.parcels.handed_in : 0);
  return Boolean(report) && (n(report.current) > 0 || n(report.previous) > 0);
}
