// The driver's offline queue: each report (stop event or position) is kept with its
// idempotency key until the server has it, and sent strictly in order. A report the server
// refuses (4xx) is dropped with its error so that it cannot block the ones behind it; a
// network failure or 5xx stops the flush and keeps everything for the next try.

export class ReportQueue {
  constructor(storage, key = 'maas.driver.queue') {
    this.storage = storage;
    this.key = key;
    this.failed = [];
  }

  items() {
    try { return JSON.parse(this.storage.getItem(this.key) || '[]'); } catch { return []; }
  }

  save(items) { this.storage.setItem(this.key, JSON.stringify(items)); }

  add(item) {
    const items = this.items();
    items.push(item);
    this.save(items);
    return items.length;
  }

  /** Send queued items in order with send(item) -> {ok, status}; returns how many were sent. */
  async flush(send) {
    if (this.flushing) return 0;
    this.flushing = true;
    let sent = 0;
    try {
      for (;;) {
        const items = this.items();
        if (!items.length) break;
        const item = items[0];
        let result;
        try { result = await send(item); } catch { break; }
        if (!result.ok && (result.status === undefined || result.status >= 500 || result.status === 0)) break;
        if (!result.ok) this.failed.push({ ...item, status: result.status, error: result.error });
        const now = this.items();
        if (now.length && now[0].key === item.key) now.shift();
        this.save(now);
        if (result.ok) sent += 1;
      }
    } finally {
      this.flushing = false;
    }
    return sent;
  }
}
