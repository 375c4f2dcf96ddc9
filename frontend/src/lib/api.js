// The public API, through fetch, with the signed-in token. Errors carry the API's code and
// message (and its body, e.g. the next bookable time of a refused offer).

export class ApiError extends Error {
  constructor(status, code, message, body) {
    super(message || code || `HTTP ${status}`);
    this.status = status;
    this.code = code;
    this.body = body;
  }
}

export function createApi(token, { base = '', fetchFn = (...a) => fetch(...a) } = {}) {
  async function call(method, path, body, headers = {}) {
    const init = { method, headers: { Authorization: `Bearer ${token}`, ...headers } };
    if (body !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetchFn(base + path, init);
    const text = await res.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = { message: text }; }
    if (!res.ok) {
      const err = data && (data.error || data.detail || data);
      const code = (err && (err.code || (typeof err === 'string' ? err : null))) || String(res.status);
      const message = err && (err.message || (typeof err.detail === 'string' ? err.detail : null));
      throw new ApiError(res.status, code, message || code, data);
    }
    return data;
  }
  return {
    token,
    get: (p) => call('GET', p),
    post: (p, b, h) => call('POST', p, b, h),
    put: (p, b) => call('PUT', p, b),
    patch: (p, b) => call('PATCH', p, b),
    del: (p, b) => call('DELETE', p, b),
  };
}

export function newKey() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  return `k-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
