// What each role may do in the pages. Today the API knows the operator token and driver
// tokens; named staff roles (admin, dispatcher, viewer) come with staff accounts, and the
// console then hides what a role may not do by this one table.

const CAN = {
  admin: ['view', 'book', 'cancel', 'plan', 'close_day', 'close_road', 'fleet', 'riders', 'clock', 'staff'],
  operator: ['view', 'book', 'cancel', 'plan', 'close_day', 'close_road', 'fleet', 'riders', 'clock'],
  dispatcher: ['view', 'book', 'cancel', 'plan', 'close_road', 'riders'],
  viewer: ['view'],
  driver: ['drive'],
};

export function can(role, action) {
  return (CAN[role] || []).includes(action);
}

/** Which role a token has: the operator's answers GET /v1/days; a driver's token names its
 * van through its manifest. A staff endpoint (GET /v1/staff/me) will replace the probe. */
export async function probeRole(api) {
  try {
    const me = await api.get('/v1/staff/me');
    if (me && me.role) return { role: me.role, name: me.name };
  } catch { /* not there yet */ }
  await api.get('/v1/days');
  return { role: 'operator', name: null };
}
