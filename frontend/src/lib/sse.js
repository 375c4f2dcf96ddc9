// Server-sent events over fetch streaming: EventSource cannot send an Authorization header,
// and a token in the URL would end up in logs. parseSSE is the pure part (tested).

/** Split buffered text into complete events; returns [events, rest]. */
export function parseSSE(buffer) {
  const events = [];
  const text = buffer.replace(/\r\n/g, '\n');
  const blocks = text.split('\n\n');
  const rest = blocks.pop();
  for (const block of blocks) {
    const ev = { id: null, event: 'message', data: '' };
    const data = [];
    let any = false;
    for (const line of block.split('\n')) {
      if (!line || line.startsWith(':')) continue;
      const i = line.indexOf(':');
      const field = i < 0 ? line : line.slice(0, i);
      let value = i < 0 ? '' : line.slice(i + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') { data.push(value); any = true; }
      else if (field === 'event') { ev.event = value; any = true; }
      else if (field === 'id') ev.id = value;
    }
    if (any) { ev.data = data.join('\n'); events.push(ev); }
  }
  return [events, rest];
}

/** Follow /v1/events with the token; calls onEvent({id, event, data}) with data parsed as
 * JSON when it is; reconnects with Last-Event-ID after a drop. Returns a stop function. */
export function followEvents(token, onEvent, { onState = () => {}, base = '' } = {}) {
  let stopped = false;
  let lastId = null;
  let controller = null;
  async function run() {
    while (!stopped) {
      controller = new AbortController();
      try {
        const headers = { Authorization: `Bearer ${token}`, Accept: 'text/event-stream' };
        if (lastId) headers['Last-Event-ID'] = lastId;
        const res = await fetch(base + '/v1/events', { headers, signal: controller.signal });
        if (!res.ok || !res.body) throw new Error(`events: HTTP ${res.status}`);
        onState('live');
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const [events, rest] = parseSSE(buffer + value);
          buffer = rest;
          for (const ev of events) {
            if (ev.id) lastId = ev.id;
            let data = ev.data;
            try { data = JSON.parse(ev.data); } catch { /* plain text */ }
            onEvent({ id: ev.id, event: ev.event, data });
          }
        }
      } catch (e) {
        if (stopped) return;
      }
      onState('reconnecting');
      await new Promise((r) => setTimeout(r, 2000));
    }
  }
  run();
  return () => { stopped = true; if (controller) controller.abort(); };
}
