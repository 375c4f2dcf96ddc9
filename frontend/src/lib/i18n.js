// Japanese first, English second. t(lang, key, vars) falls back to English, then to the key.

export const LANGS = ['ja', 'en'];

const D = {
  ja: {
    console_title: '運行管理コンソール', driver_title: '運転手画面',
    sign_in: 'ログイン', sign_out: 'ログアウト', token: 'トークン', token_hint: 'オペレーターのトークンを入力',
    driver_token_hint: '運転手のトークンを入力', bad_token: 'トークンが正しくありません',
    today: '本日', book: '電話予約', days: '運行日', roads: '通行止め', fleet: '車両', riders: '利用者',
    live: '接続中', reconnecting: '再接続中…', clock: '現在時刻', training: '訓練モード',
    map: '地図', vans: '車両', timeline: '車両ごとの予定', alerts: '注意', no_alerts: '注意はありません',
    onboard: '乗車中', stops: '停留', pickup: '乗車', dropoff: '降車', passengers: '人',
    wheelchair: '車いす', rider: '利用者', window: '迎車時間', planned: '予定',
    find_rider: '利用者をさがす', search_hint: '名前または電話番号', search: '検索',
    register: '新規登録', name: '名前', phone: '電話番号', needs_wheelchair: '車いす利用',
    selected_rider: '選択中の利用者', trip: '行程', origin: '乗る場所', destination: '降りる場所',
    pick_on_map: '地図で選ぶ', click_map_origin: '地図をクリックして乗る場所を選んでください',
    click_map_dest: '地図をクリックして降りる場所を選んでください', place: '施設', address: '住所（緯度,経度）',
    date: '日付', time: '時刻', pickup_after: 'この時刻以降に乗車', arrive_before: 'この時刻までに到着',
    get_offer: '空きを確認', offer: 'ご案内', confirm: '予約を確定', booked: '予約しました',
    read_back: '読み上げ', alternative: '代わりの時刻', use_alternative: 'この時刻で確認',
    standing: '定期予約', weekdays: '曜日', first_date: '開始日', last_date: '終了日',
    return_trip: '帰りの便も予約', return_time: '帰りの時刻', book_return: '帰りを確認',
    cancel: '取消', cancel_reason: '取消の理由', reason_rider: '利用者の都合', reason_weather: '天候',
    reason_illness: '体調不良', reason_other: 'その他', cancelled: '取り消しました',
    bookings: '予約', plan_now: '今すぐ計画', close_day: '締める', deadline: '締切',
    standing_count: '定期', vans_rostered: '配車', status: '状態', before: '計画前', after: '計画後',
    draw_line: '線で描く', draw_polygon: '範囲で描く', until: '解除予定', finish: '描き終える',
    close_road: '通行止めにする', affected: '影響を受ける予約', lift: '解除', clear: 'やり直す',
    no_closures: '通行止めはありません', seats: '座席', position: '位置', driver_token: '運転手トークン',
    issue_token: 'トークン発行', at_risk: '約束の時間に遅れるおそれ', silent: '車両から連絡なし',
    unserved: '定期予約が配車できません', welfare: '見守り: 乗車なし（連絡を）', contact: '連絡先', checked: '確認済み', call: '電話', open: '開く', replan: '再計画',
    none: 'なし', next_stop: '次の停留所', arrived: '到着', picked_up: '乗車済み', no_show: '不在',
    dropped_off: '降車済み', parcel: '荷物', not_home: '不在（持ち戻り）', returning: '持ち戻り',
    wait_over: '待ち時間終了', wait_until: '待ち時間終了まで',
    rest_of_day: '本日の残り', queued: '未送信', all_sent: 'すべて送信済み', offline: '圏外（オフライン）',
    online: 'オンライン', gps_on: '位置を送信中', gps_off: '位置情報は許可されていません',
    no_stops: '予定の停留所はありません', language: 'English', error: 'エラー',
    phone_not_found: '見つかりません。新規登録してください', refused: 'お受けできません', ok: 'OK',
    register_and_select: '登録して選択', kana: 'ふりがな', role_admin: '管理者', role_dispatcher: '配車係', role_viewer: '閲覧のみ', role_operator: 'オペレーター', day_open: '受付中', day_planned: '計画済み', day_closing: '締め処理中', day_closed: '締め済み', notes: '運転手へのメモ', monthly_report: '月次報告', not_available: 'まだ使えません',
  },
  en: {
    console_title: 'Dispatch console', driver_title: 'Driver',
    sign_in: 'Sign in', sign_out: 'Sign out', token: 'Token', token_hint: 'Enter the operator token',
    driver_token_hint: "Enter the driver's token", bad_token: 'That token is not valid',
    today: 'Today', book: 'Phone booking', days: 'Days', roads: 'Closures', fleet: 'Fleet', riders: 'Riders',
    live: 'Live', reconnecting: 'Reconnecting…', clock: 'Now', training: 'Training',
    map: 'Map', vans: 'Vans', timeline: 'Timeline per van', alerts: 'Alerts', no_alerts: 'No alerts',
    onboard: 'On board', stops: 'Stops', pickup: 'Pick up', dropoff: 'Drop off', passengers: 'pax',
    wheelchair: 'Wheelchair', rider: 'Rider', window: 'Pickup window', planned: 'Planned',
    find_rider: 'Find the rider', search_hint: 'Name or phone', search: 'Search',
    register: 'Register', name: 'Name', phone: 'Phone', needs_wheelchair: 'Uses a wheelchair',
    selected_rider: 'Rider', trip: 'Trip', origin: 'From', destination: 'To',
    pick_on_map: 'Pick on map', click_map_origin: 'Click the map where the rider is picked up',
    click_map_dest: 'Click the map where the rider is dropped off', place: 'Place', address: 'Address (lat,lon)',
    date: 'Date', time: 'Time', pickup_after: 'Pick up after', arrive_before: 'Arrive before',
    get_offer: 'Check', offer: 'Offer', confirm: 'Confirm booking', booked: 'Booked',
    read_back: 'Read back', alternative: 'Alternative', use_alternative: 'Try this time',
    standing: 'Standing booking', weekdays: 'Weekdays', first_date: 'First date', last_date: 'Last date',
    return_trip: 'Also book the return', return_time: 'Return time', book_return: 'Check return',
    cancel: 'Cancel', cancel_reason: 'Reason', reason_rider: "Rider's request", reason_weather: 'Weather',
    reason_illness: 'Illness', reason_other: 'Other', cancelled: 'Cancelled',
    bookings: 'Bookings', plan_now: 'Plan now', close_day: 'Close day', deadline: 'Deadline',
    standing_count: 'Standing', vans_rostered: 'Vans', status: 'Status', before: 'Before', after: 'After',
    draw_line: 'Draw line', draw_polygon: 'Draw area', until: 'Until', finish: 'Finish drawing',
    close_road: 'Close road', affected: 'Affected bookings', lift: 'Lift', clear: 'Clear',
    no_closures: 'No closures', seats: 'Seats', position: 'Position', driver_token: 'Driver token',
    issue_token: 'Issue token', at_risk: 'Promise at risk', silent: 'Van silent',
    unserved: 'Standing ride unserved', welfare: 'Welfare: did not show (call)', contact: 'Contact', checked: 'Checked', call: 'Call', open: 'Open', replan: 'Re-plan',
    none: 'None', next_stop: 'Next stop', arrived: 'Arrived', picked_up: 'Picked up', no_show: 'No-show',
    dropped_off: 'Dropped off', parcel: 'Parcel', not_home: 'Nobody home', returning: 'returning',
    wait_over: 'Wait is over', wait_until: 'Wait ends in',
    rest_of_day: 'Rest of the day', queued: 'Queued', all_sent: 'All sent', offline: 'Offline',
    online: 'Online', gps_on: 'Sending position', gps_off: 'Position not permitted',
    no_stops: 'No stops planned', language: '日本語', error: 'Error',
    phone_not_found: 'Not found: register the rider', refused: 'Cannot book', ok: 'OK',
    register_and_select: 'Register and select', kana: 'Name in kana', role_admin: 'admin', role_dispatcher: 'dispatcher', role_viewer: 'viewer', role_operator: 'operator', day_open: 'Open', day_planned: 'planned', day_closing: 'Closing', day_closed: 'Closed', notes: 'Notes for the driver', monthly_report: 'Monthly report', not_available: 'Not available yet',
  },
};

export function t(lang, key, vars) {
  let s = (D[lang] && D[lang][key]) ?? D.en[key] ?? key;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.replaceAll(`{${k}}`, String(v));
  return s;
}

export function keys(lang) { return Object.keys(D[lang]); }

export function savedLang(storage) {
  const v = storage && storage.getItem('maas.lang');
  return LANGS.includes(v) ? v : 'ja';
}
