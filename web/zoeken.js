// Zoeken: one search box (results while typing), filters with counts,
// "in de buurt van" and result cards. The page address holds the whole
// search (the same parameters as GET /api/v1/search), so it can be
// printed, bookmarked and shared.
import {
  api, h, ctx, label, shortOf, valueOf, areaName, serviceAreaText, formatDate, formatKm,
  availabilityText, setTitle, errorNotice, notice,
} from '/static/app.js';

// Filter groups: URL parameter, facet, legend, and how values are named.
const GROUPS = [
  { param: 'kind', facet: 'FACET_FIELD_KIND', legend: 'Soort', enumName: 'kind' },
  { param: 'intervention', facet: 'FACET_FIELD_INTERVENTION', legend: 'Interventie', enumName: 'intervention' },
  { param: 'target_group', facet: 'FACET_FIELD_TARGET_GROUP', legend: 'Doelgroep', enumName: 'target_group' },
  { param: 'regeling', facet: 'FACET_FIELD_REGELING', legend: 'Regeling', enumName: 'regeling' },
  { param: 'area', facet: 'FACET_FIELD_ARBEIDSMARKTREGIO', legend: 'Arbeidsmarktregio', key: 'regio' },
  { param: 'area', facet: 'FACET_FIELD_GEMEENTE', legend: 'Gemeente (werkgebied)', key: 'gemeente' },
  { param: 'language', facet: 'FACET_FIELD_LANGUAGE', legend: 'Taal' },
];
const FACETS = 'kind,intervention,target_group,regeling,arbeidsmarktregio,gemeente,language,accepting_new_clients';
const TEXT_PARAMS = ['q', 'near', 'radius', 'sort'];
const FLAG_PARAMS = ['accepting', 'fresh'];
const PAGE_SIZE = 20;

// Search-as-you-type timings (ms from the last keystroke, through the
// 120 ms pause that waits for the next one, to drawn results), for the
// browser tests and for anyone curious (window.kaartnetTimings).
window.kaartnetTimings = [];

export async function render(view) {
  setTitle('Zoeken');
  const url = new URLSearchParams(location.search);
  const state = { nextToken: '', controller: null, timer: 0, typedAt: 0 };

  const q = h('input', { type: 'search', id: 'q', name: 'q', value: url.get('q') || '', autocomplete: 'off',
    'aria-describedby': 'q-hint' });
  const near = h('input', { type: 'text', id: 'near', name: 'near', value: url.get('near') || '', autocomplete: 'postal-code',
    'aria-describedby': 'near-hint', inputmode: 'text' });
  const radius = h('select', { id: 'radius', name: 'radius' },
    h('option', { value: '' }, 'Geen grens'),
    ...[5, 10, 15, 25, 50].map((km) => h('option', { value: String(km), selected: url.get('radius') === String(km) }, `${km} km`)));
  const sort = h('select', { id: 'sort', name: 'sort' },
    h('option', { value: '' }, 'Beste match'),
    h('option', { value: 'distance', selected: url.get('sort') === 'distance' }, 'Dichtstbij (met "in de buurt van")'),
    h('option', { value: 'verified', selected: url.get('sort') === 'verified' }, 'Laatst gecontroleerd'));
  const accepting = h('input', { type: 'checkbox', id: 'accepting', name: 'accepting', checked: url.has('accepting') });
  const fresh = h('input', { type: 'checkbox', id: 'fresh', name: 'fresh', checked: url.has('fresh') });
  const acceptingCount = h('span', { class: 'count' });

  const form = h('form', { class: 'search-form', role: 'search', 'aria-label': 'Zoeken in de sociale kaart',
    onsubmit: (e) => { e.preventDefault(); run(false); } },
  h('div', { class: 'search-main' },
    h('div', { class: 'field' },
      h('label', { for: 'q' }, 'Wat zoekt u?'),
      h('p', { class: 'hint', id: 'q-hint' }, 'Bijvoorbeeld: ips psychose kerkrade, jobcoach arabisch, ervaringsdeskundige verslaving'),
      q),
    h('div', { class: 'search-row' },
      h('div', { class: 'field grow' },
        h('label', { for: 'near' }, 'In de buurt van'),
        h('p', { class: 'hint', id: 'near-hint' }, 'Postcode (6411 AB) of gemeente'),
        near),
      h('div', { class: 'field' }, h('label', { for: 'radius' }, 'Straal'), radius),
      h('div', { class: 'field' }, h('label', { for: 'sort' }, 'Sorteren op'), sort),
      h('div', { class: 'field' }, h('button', { type: 'submit' }, 'Zoeken'))),
    h('div', { class: 'search-row' },
      h('label', { class: 'check', for: 'accepting' }, accepting, h('span', {}, 'Alleen wie nieuwe cliënten aanneemt ', acceptingCount)),
      h('label', { class: 'check', for: 'fresh' }, fresh, 'Alleen recent gecontroleerde gegevens'))));

  const filterBody = h('div', { class: 'filter-body' });
  const filtersToggle = h('button', { type: 'button', class: 'secondary filters-toggle', 'aria-expanded': 'false',
    'aria-controls': 'filter-body',
    onclick: () => {
      const open = filters.dataset.open !== 'true';
      filters.dataset.open = String(open);
      filtersToggle.setAttribute('aria-expanded', String(open));
    } }, 'Filters tonen');
  filterBody.id = 'filter-body';
  const filters = h('aside', { class: 'filters', 'aria-label': 'Filters', 'data-open': 'false' },
    h('h2', { class: 'visually-hidden' }, 'Filters'), filtersToggle, filterBody);
  const status = h('p', { id: 'result-status', role: 'status', 'aria-live': 'polite' });
  const share = h('a', { href: location.href, id: 'share-link' }, 'Link naar deze zoekopdracht');
  const list = h('ol', { class: 'results', id: 'results' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true, onclick: () => run(true) }, 'Meer resultaten');
  const problems = h('div');
  const results = h('section', { 'aria-labelledby': 'results-title' },
    h('div', { class: 'results-head' }, h('h2', { id: 'results-title' }, 'Resultaten'), share),
    status, problems, list, h('div', { class: 'actions' }, more));

  view.append(h('h1', {}, 'Zoeken in de sociale kaart'));
  if (ctx.me.anonymousRefused) {
    view.append(notice('warn', h('p', {}, 'Op dit knooppunt zoekt u met een token. ',
      h('a', { href: '/aanmelden' }, 'Aanmelden'))));
  }
  view.append(form, h('div', { class: 'search-layout' }, filters, results));

  // The filters chosen, kept across redraws of the facet lists.
  const chosen = new Map();
  for (const g of GROUPS) {
    if (!chosen.has(g.param)) chosen.set(g.param, new Set(url.getAll(g.param)));
  }

  function params() {
    const p = new URLSearchParams();
    if (q.value.trim()) p.set('q', q.value.trim());
    if (near.value.trim()) p.set('near', near.value.trim());
    if (radius.value && near.value.trim()) p.set('radius', radius.value);
    if (sort.value) p.set('sort', sort.value);
    if (accepting.checked) p.set('accepting', 'true');
    if (fresh.checked) p.set('fresh', 'true');
    for (const [param, values] of chosen) for (const v of values) p.append(param, v);
    return p;
  }

  function schedule(delay) {
    clearTimeout(state.timer);
    state.timer = setTimeout(() => run(false), delay);
  }

  async function run(append) {
    state.controller?.abort();
    state.controller = new AbortController();
    const p = params();
    if (!append) {
      const address = p.toString() ? `/?${p}` : '/';
      history.replaceState(null, '', address);
      share.href = address;
    }
    const request = new URLSearchParams(p);
    request.set('facets', FACETS);
    request.set('page_size', String(PAGE_SIZE));
    if (append) request.set('page_token', state.nextToken);
    const started = state.typedAt || performance.now();
    state.typedAt = 0;
    try {
      const res = await api(`/api/v1/search?${request}`, { signal: state.controller.signal });
      problems.replaceChildren();
      drawResults(res, append);
      if (!append) drawFilters(res.facets || []);
      window.kaartnetTimings.push(performance.now() - started);
      list.dataset.query = p.toString();
    } catch (err) {
      if (err.name === 'AbortError') return;
      list.replaceChildren();
      more.hidden = true;
      status.textContent = 'Zoeken lukte niet.';
      problems.replaceChildren(errorNotice(err));
      for (const v of err.violations || []) problems.append(notice('error', h('p', {}, `${fieldName(v.field)}: ${v.description}`)));
    }
  }

  function drawResults(res, append) {
    if (!append) list.replaceChildren();
    const total = Number(res.totalSize || 0);
    for (const hit of res.hits || []) list.append(card(hit));
    state.nextToken = res.nextPageToken || '';
    more.hidden = !state.nextToken;
    const what = q.value.trim() ? ` voor "${q.value.trim()}"` : '';
    status.textContent = total === 0
      ? `Geen resultaten${what}. Probeer minder filters of een ander woord.`
      : `${total} ${total === 1 ? 'resultaat' : 'resultaten'}${what}, ${list.children.length} getoond.`;
  }

  function drawFilters(facets) {
    const focused = document.activeElement?.id;
    const byField = new Map(facets.map((f) => [f.field, f.counts || []]));
    const acceptingCounts = byField.get('FACET_FIELD_ACCEPTING_NEW_CLIENTS') || [];
    const yes = acceptingCounts.find((c) => c.value === 'true');
    acceptingCount.textContent = `(${yes ? Number(yes.count) : 0})`;
    filterBody.replaceChildren();
    for (const g of GROUPS) {
      const selected = chosen.get(g.param);
      const counts = byField.get(g.facet) || [];
      const items = counts.map((c) => ({ key: g.enumName ? shortOf(g.enumName, c.value) : c.value,
        text: g.enumName ? label(g.enumName, c.value) : c.label || areaName(c.value), count: Number(c.count) }));
      // A chosen value without matches stays visible, so it can be unchosen.
      for (const v of selected) {
        if (isOfGroup(g, v) && !items.some((i) => i.key === v)) {
          items.push({ key: v, text: g.enumName ? label(g.enumName, valueOf(g.enumName, v)) : areaName(v), count: 0 });
        }
      }
      if (items.length === 0) continue;
      const legendId = `legend-${g.key || g.param}`;
      filterBody.append(h('fieldset', {},
        h('legend', { id: legendId }, g.legend),
        h('div', { class: 'checks facet-list' }, items.map((item) => {
          const id = `f-${g.key || g.param}-${item.key}`;
          const box = h('input', { type: 'checkbox', id, checked: selected.has(item.key),
            onchange: () => {
              if (box.checked) selected.add(item.key); else selected.delete(item.key);
              run(false);
            } });
          return h('label', { class: 'check', for: id }, box, h('span', {}, `${item.text} `, h('span', { class: 'count' }, `(${item.count})`)));
        }))));
    }
    if (focused) document.getElementById(focused)?.focus();
  }

  function isOfGroup(g, value) {
    if (g.key === 'gemeente') return value.startsWith('GM');
    if (g.key === 'regio') return value.startsWith('AM');
    return true;
  }

  q.addEventListener('input', () => { state.typedAt = performance.now(); schedule(120); });
  near.addEventListener('input', () => schedule(300));
  for (const el of [radius, sort, accepting, fresh]) el.addEventListener('change', () => run(false));

  await run(false);
}

const FIELD_NAMES = {
  q: 'Zoekwoorden', near: 'In de buurt van', radius: 'Straal', kind: 'Soort', area: 'Werkgebied',
  language: 'Taal', sort: 'Sorteren op',
};

function fieldName(field) {
  return FIELD_NAMES[field] || field;
}

function card(hit) {
  const e = hit.entry;
  const marks = (e.qualityMarks || []).map((m) => m.name || label('quality_mark', m.type));
  const verified = h('dd', {}, formatDate(e.lastVerified));
  if (hit.stale) verified.append(' ', h('span', { class: 'badge stale' }, 'verouderd'));
  const accepting = e.availability?.acceptingNewClients;
  return h('li', { class: 'card' },
    h('h2', {}, h('a', { href: `/aanbod/${e.id}` }, e.title)),
    h('p', { class: 'org' }, [hit.organisationName || e.organisationId, label('kind', e.kind)].join(' · ')),
    h('dl', {},
      h('dt', {}, 'Werkgebied'), h('dd', {}, serviceAreaText(e.serviceArea) || 'niet opgegeven'),
      hit.distanceKm !== undefined && [h('dt', {}, 'Afstand'), h('dd', {}, formatKm(hit.distanceKm))],
      h('dt', {}, 'Beschikbaarheid'),
      h('dd', {}, h('span', { class: `badge ${accepting ? 'open' : 'closed'}` }, accepting ? 'open' : 'vol'), ' ', availabilityText(e.availability)),
      marks.length > 0 && [h('dt', {}, 'Keurmerk'), h('dd', {}, marks.join(', '))],
      h('dt', {}, 'Laatst gecontroleerd'), verified));
}
