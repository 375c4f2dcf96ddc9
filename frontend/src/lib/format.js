// Times as the service's local clock shows them, and the window read back to a caller.

export function hhmm(iso, tz = 'Asia/Tokyo') {
  if (!iso) return '';
  const d = new Date(iso);
  return new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: tz }).format(d);
}

export function localDate(iso, tz = 'Asia/Tokyo') {
  const d = new Date(iso);
  return new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: tz }).format(d);
}

export function dayLabel(dateStr, lang) {
  const [y, m, d] = dateStr.split('-').map(Number);
  const wd = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  const ja = ['日', '月', '火', '水', '木', '金', '土'];
  const en = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  return lang === 'ja' ? `${m}月${d}日(${ja[wd]})` : `${en[wd]} ${d}/${m}`;
}

/** The sentence the clerk reads to the caller. */
export function readBack(booking, lang, tz = 'Asia/Tokyo') {
  const day = dayLabel(booking.service_date, lang);
  const a = hhmm(booking.pickup_window.start, tz);
  const b = hhmm(booking.pickup_window.end, tz);
  const at = booking.pickup_point ? booking.pickup_point.name : null; // a meeting point, not the door
  if (lang === 'ja') {
    const fin = booking.window_final ? '' : '（前日に時間を確定してお知らせします）';
    return `${day} ${a}から${b}の間に${at ? `「${at}」で` : ''}お迎えに参ります。${fin}`;
  }
  const fin = booking.window_final ? '' : ' (we will narrow this down the day before)';
  return `We will pick you up ${at ? `at ${at} ` : ''}on ${day} between ${a} and ${b}${fin}.`;
}

/** Local "YYYY-MM-DDTHH:MM" in tz + offset -> ISO with the service's UTC offset (Japan: +09:00). */
export function withOffset(localDateTime, offset = '+09:00') {
  return `${localDateTime}${localDateTime.length === 16 ? ':00' : ''}${offset}`;
}

/** The meeting point of a stop (pickup: where the rider boards, drop-off: where they
 * alight) from a record carrying pickup_point/dropoff_point (an offer, a booking, a
 * driver's rider); null: at the door. */
export function pointAt(type, rec) {
  if (!rec) return null;
  return (type === 'pickup' ? rec.pickup_point : rec.dropoff_point) || null;
}

/** A meeting point as the pages show it: its name and the rider's walk. */
export function pointText(point, lang) {
  if (!point) return '';
  const walk = point.walk_m ? (lang === 'ja' ? `徒歩${point.walk_m} m` : `${point.walk_m} m walk`) : '';
  return walk ? `${point.name} (${walk})` : point.name;
}
