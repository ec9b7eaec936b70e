// kaartnet web page: what every view shares (API calls, the signed-in
// token, labels, DOM helpers) and the router that picks the view by path.
// Plain ES modules, no build step; the node serves these files itself.

const TOKEN_KEY = 'kaartnet.token';

export class ApiError extends Error {
  constructor(httpStatus, error) {
    super(error.message || `HTTP ${httpStatus}`);
    this.httpStatus = httpStatus;
    this.code = error.status || '';
    this.violations = error.fieldViolations || [];
  }
}

export function token() {
  return sessionStorage.getItem(TOKEN_KEY) || '';
}

export function setToken(value) {
  if (value) sessionStorage.setItem(TOKEN_KEY, value);
  else sessionStorage.removeItem(TOKEN_KEY);
}

// Calls the node's JSON API with the signed-in token. Throws ApiError with
// the node's status and field violations when the answer is not 2xx.
export async function api(path, { method = 'GET', body, signal, raw = false, withToken } = {}) {
  const headers = {};
  const bearer = withToken ?? token();
  if (bearer) headers.Authorization = `Bearer ${bearer}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, {
    method, headers, signal,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let error = {};
    try { error = (await res.json()).error || {}; } catch (e) { /* not JSON */ }
    throw new ApiError(res.status, error);
  }
  return raw ? res : res.json();
}

// Builds an element: h('a', {href: '/x', class: 'c'}, 'text', child).
// Text is always set as text, never parsed as HTML.
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2), value);
    else if (key === 'value') el.value = value;
    else if (key === 'checked' || key === 'selected') el[key] = Boolean(value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

// What the views share: the vocabulary (labels) and who is signed in.
export const ctx = { vocab: null, me: null };
const enumIndex = {};

function indexVocabulary(vocab) {
  for (const [name, values] of Object.entries(vocab.enums)) {
    const byValue = new Map();
    const byShort = new Map();
    for (const v of values) {
      byValue.set(v.value, v);
      byShort.set(v.short, v);
    }
    enumIndex[name] = { byValue, byShort, values };
  }
  ctx.gemeente = new Map(vocab.gemeenten.map((g) => [g.code, g]));
  ctx.regio = new Map(vocab.regios.map((r) => [r.code, r]));
  ctx.language = new Map(vocab.languages.map((l) => [l.value, l.label]));
  ctx.sector = new Map(vocab.sectors.map((s) => [s.value, s.label]));
}

export function enumValues(name) {
  return enumIndex[name].values;
}

// Dutch label of an enum value ("ENTRY_KIND_JOBCOACH" -> "Jobcoach").
export function label(name, value) {
  return enumIndex[name]?.byValue.get(value)?.label ?? value;
}

export function shortOf(name, value) {
  return enumIndex[name]?.byValue.get(value)?.short ?? value;
}

export function valueOf(name, short) {
  return enumIndex[name]?.byShort.get(short)?.value ?? short;
}

export function areaName(code) {
  return ctx.gemeente.get(code)?.name ?? ctx.regio.get(code)?.name ?? code;
}

// "Heerlen, Kerkrade" or "arbeidsmarktregio Zuid-Limburg".
export function serviceAreaText(area) {
  if (!area) return '';
  const parts = [];
  for (const code of area.arbeidsmarktregioCodes || []) parts.push(`regio ${areaName(code)}`);
  const gemeenten = (area.gemeentecodes || []).map(areaName);
  if (gemeenten.length > 6) parts.push(`${gemeenten.slice(0, 5).join(', ')} en ${gemeenten.length - 5} andere gemeenten`);
  else parts.push(...gemeenten);
  return parts.join(', ');
}

export function formatDate(timestamp) {
  if (!timestamp) return 'onbekend';
  return new Date(timestamp).toLocaleDateString('nl-NL', { day: 'numeric', month: 'long', year: 'numeric' });
}

export function formatKm(km) {
  return `${km.toLocaleString('nl-NL', { maximumFractionDigits: km < 10 ? 1 : 0 })} km`;
}

export function availabilityText(availability) {
  const a = availability || {};
  if (!a.acceptingNewClients) return 'Neemt geen nieuwe cliënten aan';
  const parts = ['Neemt nieuwe cliënten aan'];
  const weeks = a.waitWeeks || 0;
  parts.push(weeks === 0 ? 'geen wachttijd' : `wachttijd ${weeks} ${weeks === 1 ? 'week' : 'weken'}`);
  if (a.freePlaces) parts.push(`${a.freePlaces} ${a.freePlaces === 1 ? 'plek' : 'plekken'} vrij`);
  return parts.join(' · ');
}

export const ROLE_LABELS = {
  anonymous: 'niet aangemeld',
  reader: 'klantmanager (lezen)',
  publisher: 'partnerorganisatie (eigen aanbod beheren)',
  'region-admin': 'Werkbedrijf (regiobeheer)',
  'node-admin': 'beheerder van dit knooppunt',
};

export function setTitle(title) {
  document.title = `${title} – Sociale kaart`;
}

export function notice(kind, ...children) {
  return h('div', { class: `notice ${kind}`, role: kind === 'error' ? 'alert' : null }, ...children);
}

// A Dutch sentence for a failed call.
export function errorText(err) {
  if (!(err instanceof ApiError)) return 'De sociale kaart is niet bereikbaar. Controleer de verbinding en probeer het opnieuw.';
  switch (err.httpStatus) {
    case 401: return 'U bent niet aangemeld, of uw token is verlopen of ingetrokken.';
    case 403: return `U hebt hiervoor geen rechten (${err.message}).`;
    case 404: return 'Niet gevonden.';
    case 429: return 'Te veel verzoeken tegelijk. Probeer het over een paar seconden opnieuw.';
    case 503: return 'Deze dienst is even niet beschikbaar. Probeer het zo opnieuw.';
    default: return err.message;
  }
}

export function errorNotice(err) {
  const parts = [h('p', {}, errorText(err))];
  if (err instanceof ApiError && err.httpStatus === 401) {
    parts.push(h('p', {}, h('a', { href: `/aanmelden?terug=${encodeURIComponent(location.pathname + location.search)}` }, 'Aanmelden')));
  }
  return notice('error', ...parts);
}

// A notice saying which role a view needs, with a way to sign in.
export function needsRole(what, roleLabel) {
  return notice('warn',
    h('p', {}, `${what} is alleen voor ${roleLabel}. U bent aangemeld als: ${ROLE_LABELS[ctx.me.role] || ctx.me.role}.`),
    h('p', {}, h('a', { href: `/aanmelden?terug=${encodeURIComponent(location.pathname)}` }, 'Aanmelden met een ander token')));
}

async function whoAmI() {
  try {
    return await api('/api/v1/me');
  } catch (err) {
    if (err instanceof ApiError && err.httpStatus === 401) {
      return { role: 'anonymous', tokenRejected: Boolean(token()), anonymousRefused: !token() };
    }
    throw err;
  }
}

const PAGES = { '/': 'zoeken', '/beheer': 'beheer', '/regio': 'regio', '/aanmelden': 'aanmelden' };

async function main() {
  const path = location.pathname;
  const page = path.startsWith('/aanbod/') ? 'detail' : PAGES[path] || 'zoeken';
  const navPage = page === 'detail' ? 'zoeken' : page;
  for (const a of document.querySelectorAll('[data-page]')) {
    if (a.dataset.page === navPage) a.setAttribute('aria-current', 'page');
  }
  const view = document.getElementById('view');
  try {
    // The view's module loads while the vocabulary and the caller arrive.
    const [vocab, me, module] = await Promise.all([
      api('/api/v1/vocabulary'), whoAmI(), import(`/static/${page}.js`)]);
    ctx.vocab = vocab;
    ctx.me = me;
    indexVocabulary(vocab);
    if (vocab.region.name) document.getElementById('region-name').textContent = vocab.region.name;
    const account = document.getElementById('nav-account');
    if (me.role !== 'anonymous') account.textContent = 'Afmelden / wisselen';
    view.replaceChildren();
    await module.render(view);
  } catch (err) {
    view.replaceChildren(h('h1', {}, 'Er ging iets mis'), errorNotice(err));
  }
  // Milliseconds from navigation start to a drawn view (browser tests).
  document.body.dataset.readyMs = String(Math.round(performance.now()));
  document.body.dataset.ready = 'true';
}

main();
