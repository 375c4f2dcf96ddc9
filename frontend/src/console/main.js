// The operator's console: sign-in, tabs, language switch, the event stream.
import { html, render, useState, useEffect, useRef } from '../lib/ui.js';
import { t, savedLang } from '../lib/i18n.js';
import { createApi } from '../lib/api.js';
import { followEvents } from '../lib/sse.js';
import { can, probeRole } from '../lib/roles.js';
import { hhmm } from '../lib/format.js';
import { createStore } from './store.js';
import { Today } from './today.js';
import { Booking } from './booking.js';
import { Days } from './days.js';
import { Roads } from './roads.js';
import { Fleet } from './fleet.js';
import { Shifts } from './shifts.js';
import { Report } from './report.js';
import { People } from './people.js';

const TABS = [['today', 'view'], ['book', 'book'], ['days', 'view'], ['roads', 'view'], ['fleet', 'view'],
  ['shifts', 'view'], ['report', 'view'], ['people', 'staff']];
const TOKEN_KEY = 'maas.console.token';

function SignIn({ lang, onToken, error, setLang }) {
  const [token, setToken] = useState('');
  return html`<main class="signin"><h1>${t(lang, 'console_title')}</h1>
    <form onSubmit=${(e) => { e.preventDefault(); onToken(token.trim()); }}>
      <label>${t(lang, 'token_hint')}<input type="password" data-testid="token" autocomplete="current-password" value=${token} onInput=${(e) => setToken(e.target.value)} /></label>
      <button class="primary big" data-testid="sign-in">${t(lang, 'sign_in')}</button>
      ${error && html`<div class="refusal">${t(lang, 'bad_token')}</div>`}
    </form>
    <button class="lang" data-testid="lang" onClick=${setLang}>${t(lang, 'language')}</button></main>`;
}

function App() {
  const [lang, setLangState] = useState(savedLang(localStorage));
  const [session, setSession] = useState(null);
  const [error, setError] = useState(false);
  const [tab, setTab] = useState('today');
  const [focus, setFocus] = useState(null);
  const [state, setState] = useState(null);
  const storeRef = useRef(null);

  function toggleLang() {
    const next = lang === 'ja' ? 'en' : 'ja';
    localStorage.setItem('maas.lang', next); setLangState(next);
  }
  useEffect(() => { document.documentElement.lang = lang; document.title = t(lang, 'console_title'); }, [lang]);

  async function signIn(token) {
    const api = createApi(token);
    try {
      const who = await probeRole(api);
      sessionStorage.setItem(TOKEN_KEY, token);
      setError(false);
      setSession({ api, who, role: { name: who.role, can: (a) => can(who.role, a) } });
    } catch { sessionStorage.removeItem(TOKEN_KEY); setError(true); }
  }
  useEffect(() => { const saved = sessionStorage.getItem(TOKEN_KEY); if (saved) signIn(saved); }, []);

  useEffect(() => {
    if (!session) return undefined;
    const store = createStore(session.api, setState);
    storeRef.current = store;
    store.load();
    const stop = followEvents(session.api.token, store.onEvent, { onState: store.setEvents });
    return stop;
  }, [session]);

  if (!session) return html`<${SignIn} lang=${lang} onToken=${signIn} error=${error} setLang=${toggleLang} />`;
  if (!state) return html`<main class="loading">…</main>`;
  const store = storeRef.current;
  const tz = state.service ? state.service.timezone : 'Asia/Tokyo';
  const go = (name, f = null) => { setFocus(f); setTab(name); };
  const props = { lang, state, api: session.api, role: session.role, go, reload: store.load };
  return html`<div class="shell">
    <header>
      <h1>${t(lang, 'console_title')}</h1>
      <nav>${TABS.filter(([, need]) => session.role.can(need)).map(([name]) => html`<button data-testid=${`tab-${name}`}
        class=${tab === name ? 'tab active' : 'tab'} onClick=${() => go(name)}>${t(lang, name)}</button>`)}</nav>
      <div class="status">
        <span data-testid="who">${session.who.name || ''} (${t(lang, `role_${session.role.name}`)})</span>
        <span class=${`dot ${state.events}`} data-testid="stream">${t(lang, state.events)}</span>
        ${state.clock && html`<span data-testid="clock">${t(lang, 'clock')} ${state.clock.now.slice(5, 10)} <b>${hhmm(state.clock.now, tz)}</b>${state.clock.training ? ` (${t(lang, 'training')})` : ''}</span>`}
        <button class="lang" data-testid="lang" onClick=${toggleLang}>${t(lang, 'language')}</button>
        <button onClick=${() => { sessionStorage.removeItem(TOKEN_KEY); location.reload(); }}>${t(lang, 'sign_out')}</button>
      </div>
    </header>
    ${state.error && html`<div class="refusal">${t(lang, 'error')}: ${state.error}</div>`}
    <main>
      ${tab === 'today' && html`<${Today} ...${props} dismissWelfare=${store.dismissWelfare} />`}
      ${tab === 'book' && html`<${Booking} ...${props} remember=${store.remember} focus=${focus} />`}
      ${tab === 'days' && html`<${Days} ...${props} />`}
      ${tab === 'roads' && html`<${Roads} ...${props} addClosure=${store.addClosure} />`}
      ${tab === 'fleet' && html`<${Fleet} ...${props} />`}
      ${tab === 'shifts' && html`<${Shifts} ...${props} />`}
      ${tab === 'report' && html`<${Report} ...${props} />`}
      ${tab === 'people' && html`<${People} ...${props} who=${session.who} />`}
    </main>
  </div>`;
}

render(html`<${App} />`, document.getElementById('app'));
