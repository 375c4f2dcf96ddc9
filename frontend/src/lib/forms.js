// Pure helpers of the console's editing pages (shifts, audit filters, report figures).

export const WEEK = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
export const WD_JA = { mon: '月', tue: '火', wed: '水', thu: '木', fri: '金', sat: '土', sun: '日' };

/** The PUT body of a week edited in the form (a weekday without start and end is off). */
export function weekBody(rows) {
  const week = {};
  for (const d of WEEK) {
    const r = rows[d] || {};
    if (!r.start || !r.end) { week[d] = null; continue; }
    const brk = r.break_start && r.break_end && Number(r.minutes) > 0
      ? { earliest: r.break_start, latest: r.break_end, minutes: Number(r.minutes) } : null;
    week[d] = { start: r.start, end: r.end, break: brk };
  }
  return { week };
}

/** The form's rows of a week as the API answers it. */
export function rowsOf(week) {
  const rows = {};
  for (const d of WEEK) {
    const s = week[d];
    rows[d] = s ? { start: s.start, end: s.end, break_start: s.break ? s.break.earliest : '',
      break_end: s.break ? s.break.latest : '', minutes: s.break ? s.break.minutes : '' } : {};
  }
  return rows;
}

/** GET /v1/audit with the filters given (empty ones left out). */
export function auditQuery(filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  q.set('limit', '200');
  return `/v1/audit?${q}`;
}

/** A report figure as the page shows it (— for none). */
export function figure(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  return Number.isInteger(value) ? value.toLocaleString('ja-JP') : value.toLocaleString('ja-JP', { maximumFractionDigits: 2 });
}


/** The PATCH /v1/vehicles/{id} body of a van's edit form: only the fields that changed
 * (numbers as numbers); null when nothing did. */
export function vanPatch(record, form) {
  const body = {};
  if (form.name.trim() && form.name.trim() !== record.name) body.name = form.name.trim();
  for (const k of ['seats', 'wheelchair_places']) {
    const n = Number(form[k]);
    if (form[k] !== '' && Number.isInteger(n) && n !== record[k]) body[k] = n;
  }
  return Object.keys(body).length ? body : null;
}

/** What a refusal of the API says, with the rides or the day it names (a van change that
 * breaks a day's plan, a van that still has rides). */
export function refusalText(err) {
  const extra = (err && err.body && err.body.error) || {};
  let text = `${err.code}: ${err.message}`;
  if (extra.rides && typeof extra.rides === 'object') {
    const days = Object.entries(extra.rides).map(([d, ids]) => `${d}: ${ids.join(', ') || '—'}`);
    if (days.length) text += ` (${days.join('; ')})`;
  }
  return text;
}

/** The van ids of a day's fleet and the roster (in the roster's order, then the others). */
export function vanIds(roster, vehicles) {
  const ids = (roster || []).map((v) => v.id);
  for (const v of vehicles || []) if (!ids.includes(v.id)) ids.push(v.id);
  return ids;
}
