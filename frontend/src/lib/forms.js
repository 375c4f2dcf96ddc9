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

