// What each staff role may do in the pages (the API's own rules: an admin everything, a
// dispatcher the daily work, a viewer only reads); the console hides the rest by this table.

const CAN = {
  admin: ['view', 'book', 'cancel', 'plan', 'close_day', 'close_road', 'fleet', 'riders', 'clock', 'staff'],
  operator: ['view', 'book', 'cancel', 'plan', 'close_day', 'close_road', 'fleet', 'riders', 'clock'],
  dispatcher: ['view', 'book', 'cancel', 'plan', 'close_day', 'close_road', 'fleet', 'riders', 'clock'],
  viewer: ['view'],
  driver: ['drive'],
};

export function can(role, action) {
  return (CAN[role] || []).includes(action);
}

/** Which staff role a token has (GET /v1/staff/me); a service without staff accounts
 * answers GET /v1/days to its one operator token. */
export async function probeRole(api) {
  try {
    const me = await api.get('/v1/staff/me');
    if (me && me.role) return { role: me.role, name: me.name, id: me.id };
  } catch { /* not there yet */ }
  await api.get('/v1/days');
  return { role: 'operator', name: null };
}
