// Aanbod beheren: a partner organisation's own entries — list, create,
// edit, "controleer en bevestig" (refreshes last_verified) and withdraw.
// A refused publish shows each problem next to its field, with a summary
// at the top that links to the fields.
import {
  api, h, ctx, label, enumValues, areaName, formatDate, setTitle, notice, errorNotice, errorText,
  needsRole,
} from '/static/app.js';

const NO_CLIENT_DATA = 'Zet nooit gegevens van cliënten in het aanbod: geen namen, geen BSN, geen diagnoses van personen. ' +
  'Het aanbod beschrijft wat uw organisatie biedt en wordt gedeeld met alle knooppunten in de regio.';

// Field path (as the node names it) -> id of the element showing it.
function fid(path) {
  return `fld-${path.replace(/[[\].]/g, '-')}`;
}

function camel(snake) {
  return snake.replace(/_([a-z])/g, (m, c) => c.toUpperCase());
}

// Dutch for the node's most common validation messages; others verbatim.
const MESSAGES = [
  [/^"[^"]*" is not an entry id.*/, 'gebruik alleen kleine letters, cijfers en streepjes'],
  [/^is required, at least (\d+) characters.*/, 'is verplicht, minstens $1 tekens'],
  [/^is required for kind ENTRY_KIND_WERKGEVER.*/, 'is verplicht voor een werkgever (sector en wat u biedt)'],
  [/^is required.*/, 'is verplicht'],
  [/^"(.*)" is not a Dutch postcode.*/, '"$1" is geen Nederlandse postcode (zoals 6411 AB)'],
  [/^"(.*)" is not an e-mail address.*/, '"$1" is geen e-mailadres'],
  [/^"(.*)" is not a phone number.*/, '"$1" is geen telefoonnummer (zoals 043-123 45 67 of +31 6 1234 5678)'],
  [/^"(.*)" is not a current Dutch gemeente/, '"$1" is geen bestaande gemeente'],
  [/^"(.*)" is not a gemeentecode.*/, '"$1" is geen gemeentecode (GM en 4 cijfers)'],
  [/^names no gemeente.*/, 'noem minstens één gemeente of arbeidsmarktregio'],
  [/^needs a phone number or an e-mail address/, 'vul een telefoonnummer of e-mailadres in'],
  [/^needs a name or a role.*/, 'vul een naam of een functie in'],
  [/^appears more than once/, 'staat er meer dan eens in'],
  [/^is (\d+) characters long; at most (\d+).*/, 'is $1 tekens lang; maximaal $2'],
  [/^lies in the future/, 'ligt in de toekomst'],
  [/^is unspecified; choose.*/, 'maak een keuze'],
];

export function dutch(message) {
  for (const [pattern, text] of MESSAGES) {
    if (pattern.test(message)) return message.replace(pattern, text);
  }
  return message;
}

export async function render(view) {
  setTitle('Aanbod beheren');
  view.append(h('h1', {}, 'Aanbod beheren'));
  const me = ctx.me;
  if (me.role !== 'publisher' && !me.trusted) {
    view.append(needsRole('Aanbod beheren', 'medewerkers van een partnerorganisatie (rol: publisher)'));
    return;
  }
  view.append(notice('warn', h('p', {}, h('strong', {}, 'Geen cliëntgegevens. '), NO_CLIENT_DATA)));
  let organisations = [];
  try {
    organisations = (await api('/api/v1/organisations')).organisations || [];
  } catch (err) {
    view.append(errorNotice(err));
    return;
  }
  const hosted = organisations.filter((o) => o.hostedHere).map((o) => o.organisation);
  const page = h('div');
  view.append(page);
  if (me.trusted) {
    // A node without tokens (development): choose a hosted organisation.
    const select = h('select', { id: 'org-choice' }, hosted.map((o) => h('option', { value: o.organisationId }, o.name)));
    view.insertBefore(h('div', { class: 'field' }, h('label', { for: 'org-choice' }, 'Organisatie'), select), page);
    select.addEventListener('change', () => showList(page, organisations, select.value));
    if (hosted.length > 0) await showList(page, organisations, hosted[0].organisationId);
  } else {
    await showList(page, organisations, me.organisationId);
  }
}

async function showList(page, organisations, orgId, message) {
  const info = organisations.find((o) => o.organisation.organisationId === orgId);
  const orgName = info?.organisation.name || orgId;
  page.replaceChildren(h('h2', {}, `Aanbod van ${orgName}`));
  const status = h('div', { role: 'status', id: 'beheer-status' });
  page.append(status);
  if (message) status.append(notice('ok', h('p', {}, message)));
  if (info && !info.hostedHere) {
    page.append(notice('warn', h('p', {}, `Dit knooppunt bewaart de sleutel van ${orgName} niet en kan dus niet namens u publiceren. Gebruik het knooppunt van uw eigen organisatie.`)));
  }
  page.append(h('div', { class: 'actions' },
    h('button', { type: 'button', id: 'new-entry', onclick: () => showForm(page, organisations, orgId, null) }, 'Nieuw aanbod toevoegen')));

  const hits = [];
  try {
    let token = '';
    do {
      const p = new URLSearchParams({ org: orgId, page_size: '100' });
      if (token) p.set('page_token', token);
      const res = await api(`/api/v1/search?${p}`);
      hits.push(...(res.hits || []));
      token = res.nextPageToken || '';
    } while (token && hits.length < 2000);
  } catch (err) {
    page.append(errorNotice(err));
    return;
  }
  if (hits.length === 0) {
    page.append(h('p', {}, 'Uw organisatie heeft nog geen aanbod in de sociale kaart.'));
    return;
  }
  // Oldest check first: what needs attention is on top.
  hits.sort((a, b) => (a.entry.lastVerified || '').localeCompare(b.entry.lastVerified || ''));
  const stale = hits.filter((x) => x.stale).length;
  if (stale > 0) {
    page.append(notice('warn', h('p', {}, `${stale} van uw ${hits.length} aanbod${hits.length === 1 ? '' : 'en'} ${stale === 1 ? 'is' : 'zijn'} lang niet gecontroleerd. Kijk ze na en kies "Controleer en bevestig".`)));
  }
  const rows = hits.map((hit) => {
    const e = hit.entry;
    const actions = h('td', {});
    const reset = () => actions.replaceChildren(
      h('button', { type: 'button', class: 'link', 'data-action': 'edit', onclick: () => showForm(page, organisations, orgId, e.id) }, 'Bewerken'),
      h('button', { type: 'button', class: 'link', 'data-action': 'confirm', onclick: () => confirmEntry(e.id) }, 'Controleer en bevestig'),
      h('button', { type: 'button', class: 'link', 'data-action': 'withdraw', onclick: askWithdraw }, 'Intrekken'));
    const problem = (err) => status.replaceChildren(errorNotice(err));
    async function confirmEntry(id) {
      try {
        const stored = await loadForEdit(id);
        const res = await publish(stored.entry, stored.version, false);
        await showList(page, organisations, orgId, `"${res.entry.title}" is bevestigd: laatst gecontroleerd op ${formatDate(res.entry.lastVerified)}.`);
      } catch (err) { problem(err); }
    }
    function askWithdraw() {
      actions.replaceChildren(
        h('span', {}, 'Zeker weten? '),
        h('button', { type: 'button', class: 'danger', 'data-action': 'withdraw-yes', onclick: async () => {
          try {
            await api(`/api/v1/entries/${e.id}/withdraw`, { method: 'POST', body: { expectedVersion: e.version } });
            await showList(page, organisations, orgId, `"${e.title}" is ingetrokken.`);
          } catch (err) { problem(err); reset(); }
        } }, 'Ja, intrekken'),
        ' ',
        h('button', { type: 'button', class: 'secondary', onclick: () => { reset(); actions.querySelector('button')?.focus(); } }, 'Annuleren'));
      actions.querySelector('button')?.focus();
    }
    reset();
    const verified = h('td', {}, formatDate(e.lastVerified));
    if (hit.stale) verified.append(' ', h('span', { class: 'badge stale' }, 'verouderd'));
    return h('tr', { 'data-id': e.id },
      h('th', { scope: 'row' }, h('a', { href: `/aanbod/${e.id}` }, e.title)),
      h('td', {}, label('kind', e.kind)), verified, actions);
  });
  page.append(h('div', { class: 'table-scroll', role: 'region', 'aria-label': 'Uw aanbod', tabindex: '0' },
    h('table', { id: 'own-entries' },
      h('caption', {}, `${hits.length} aanbod${hits.length === 1 ? '' : 'en'}`),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Titel'), h('th', { scope: 'col' }, 'Soort'),
        h('th', { scope: 'col' }, 'Laatst gecontroleerd'), h('th', { scope: 'col' }, 'Acties'))),
      h('tbody', {}, rows))));
}

// The whole stored entry, contacts for professionals included (a partner
// may read its own; the node logs it with purpose "beheer").
async function loadForEdit(id) {
  const res = await api(`/api/v1/entries/${id}?reveal_contacts=true&purpose=beheer`);
  return { entry: res.entry, version: res.entry.version };
}

// Publishes `entry` as the node signs it; the node sets version, region and
// (since it is cleared) last_verified.
function publish(entry, expectedVersion, createOnly) {
  const clean = { ...entry };
  delete clean.version;
  delete clean.region;
  delete clean.lastVerified;
  const body = { entry: clean };
  if (expectedVersion) body.expectedVersion = expectedVersion;
  if (createOnly) body.createOnly = true;
  return api('/api/v1/entries', { method: 'POST', body });
}

// ---------------------------------------------------------------- the form

function textField(path, text, value, { type = 'text', hint, required, attrs = {} } = {}) {
  const id = fid(path);
  const input = type === 'textarea'
    ? h('textarea', { id, name: path, 'aria-describedby': hint ? `${id}-hint` : null, ...attrs })
    : h('input', { type, id, name: path, 'aria-describedby': hint ? `${id}-hint` : null, ...attrs });
  input.value = value ?? '';
  return h('div', { class: 'field', 'data-field': path },
    h('label', { for: id }, text, required ? ' (verplicht)' : ''),
    hint && h('p', { class: 'hint', id: `${id}-hint` }, hint), input);
}

function selectField(path, text, options, value, { required } = {}) {
  const id = fid(path);
  return h('div', { class: 'field', 'data-field': path },
    h('label', { for: id }, text, required ? ' (verplicht)' : ''),
    h('select', { id, name: path }, options.map(([v, t]) => h('option', { value: v, selected: v === value }, t))));
}

function checkGroup(path, legend, options, chosen, { hint } = {}) {
  const id = fid(path);
  const set = new Set(chosen || []);
  return h('fieldset', { id, 'data-field': path, 'aria-describedby': hint ? `${id}-hint` : null },
    h('legend', {}, legend),
    hint && h('p', { class: 'hint', id: `${id}-hint` }, hint),
    h('div', { class: 'checks' }, options.map(([v, t]) => {
      const boxId = `${id}-${v}`;
      return h('label', { class: 'check', for: boxId },
        h('input', { type: 'checkbox', id: boxId, name: path, value: v, checked: set.has(v) }), t);
    })));
}

function enumOptions(name) {
  return enumValues(name).map((v) => [v.value, v.label]);
}

function checked(form, path) {
  return [...form.querySelectorAll(`input[type=checkbox][name="${path}"]`)].filter((b) => b.checked).map((b) => b.value);
}

// A list of sub-forms (locations, contacts, quality marks), each item
// remembering the stored object it came from, so fields the form does not
// show (e.g. coordinates) are kept.
function repeater(path, legend, itemLabel, fields, items, blank) {
  const box = h('div', { 'data-repeater': path });
  const wrapper = h('fieldset', { id: fid(path), 'data-field': path }, h('legend', {}, legend), box);
  const redraw = (items) => {
    box.replaceChildren();
    items.forEach((item, i) => box.append(itemSet(item, i)));
  };
  function itemSet(item, i) {
    const base = `${path}[${i}]`;
    const set = h('fieldset', { class: 'item', 'data-index': String(i) }, h('legend', {}, `${itemLabel} ${i + 1}`),
      fields.map((f) => (f.options
        ? selectField(`${base}.${f.name}`, f.label, f.options, item[camel(f.name)] ?? f.default)
        : textField(`${base}.${f.name}`, f.label, f.get ? f.get(item) : item[camel(f.name)], { type: f.type || 'text', hint: f.hint }))),
      h('button', { type: 'button', class: 'link', onclick: () => { set.remove(); redraw(read()); } }, `${itemLabel} ${i + 1} verwijderen`));
    set.original = item;
    return set;
  }
  function read() {
    return [...box.querySelectorAll(':scope > fieldset.item')].map((set) => {
      const i = set.dataset.index;
      const item = { ...set.original };
      for (const f of fields) {
        const el = set.querySelector(`#${CSS.escape(fid(`${path}[${i}].${f.name}`))}`);
        const value = el.value.trim();
        if (f.set) f.set(item, value);
        else if (f.type === 'number') item[camel(f.name)] = value === '' ? 0 : Number(value);
        else item[camel(f.name)] = value;
      }
      return item;
    });
  }
  redraw(items);
  wrapper.append(h('button', { type: 'button', class: 'secondary', onclick: () => {
    redraw([...read(), { ...blank }]);
    box.lastElementChild?.querySelector('input, select')?.focus();
  } }, `${itemLabel} toevoegen`));
  wrapper.read = read;
  return wrapper;
}

async function showForm(page, organisations, orgId, id) {
  let entry = { organisationId: orgId, kind: '', serviceArea: {}, availability: { acceptingNewClients: true }, languages: ['nl'] };
  let version = null;
  if (id) {
    try {
      ({ entry, version } = await loadForEdit(id));
    } catch (err) {
      page.prepend(errorNotice(err));
      return;
    }
  }
  const region = ctx.vocab.region;
  const heading = h('h2', { tabindex: '-1' }, id ? `Bewerken: ${entry.title}` : 'Nieuw aanbod');
  const summary = h('div', { id: 'error-summary', tabindex: '-1' });
  const kinds = [['', 'Kies een soort'], ...enumOptions('kind')];
  const area = entry.serviceArea || {};
  const regionCodes = new Set(region.gemeenten || []);
  const otherAreas = [...(area.gemeentecodes || []).filter((c) => !regionCodes.has(c)),
    ...(area.arbeidsmarktregioCodes || []).filter((c) => c !== region.code)];

  const employer = entry.employer || {};
  const employerSet = h('fieldset', { id: fid('employer'), 'data-field': 'employer' }, h('legend', {}, 'Werkgever'),
    selectField('employer.sector', 'Sector (SBI)', [['', 'Kies een sector'], ...ctx.vocab.sectors.map((s) => [s.value, `${s.value} – ${s.label}`])], employer.sector),
    checkGroup('employer.offers', 'Wat biedt u?', enumOptions('offer'), employer.offers),
    textField('employer.open_places', 'Aantal open plekken', employer.openPlaces || '', { type: 'number', attrs: { min: '0' } }),
    checkGroup('employer.flags', 'Werkt met', [['deNormaalsteZaak', 'De Normaalste Zaak'], ['usesNoRiskpolis', 'No-riskpolis'], ['usesLoonkostensubsidie', 'Loonkostensubsidie']],
      ['deNormaalsteZaak', 'usesNoRiskpolis', 'usesLoonkostensubsidie'].filter((k) => employer[k])));

  const gemeenteOptions = [['', 'Kies een gemeente'], ...[...ctx.vocab.gemeenten].sort((a, b) => a.name.localeCompare(b.name, 'nl')).map((g) => [g.code, g.name])];
  const locations = repeater('locations', 'Locaties', 'Locatie', [
    { name: 'name', label: 'Naam van de locatie' },
    { name: 'street', label: 'Straat' },
    { name: 'house_number', label: 'Huisnummer' },
    { name: 'postcode', label: 'Postcode', hint: 'Bijvoorbeeld 6411 AB',
      set: (item, v) => { if (v !== item.postcode) { delete item.latitude; delete item.longitude; } item.postcode = v; } },
    { name: 'city', label: 'Plaats' },
    { name: 'gemeentecode', label: 'Gemeente', options: gemeenteOptions },
  ], entry.locations || [], { name: '', city: '' });
  const contacts = repeater('contacts', 'Contactpersonen', 'Contact', [
    { name: 'name', label: 'Naam' },
    { name: 'role', label: 'Functie' },
    { name: 'phone', label: 'Telefoon', type: 'tel' },
    { name: 'email', label: 'E-mail', type: 'email' },
    { name: 'visibility', label: 'Zichtbaar voor', options: [['VISIBILITY_PUBLIC', 'Iedereen'], ['VISIBILITY_PROFESSIONALS', 'Alleen professionals (aangemeld, inzien wordt vastgelegd)']], default: 'VISIBILITY_PROFESSIONALS' },
  ], entry.contacts || [], { visibility: 'VISIBILITY_PROFESSIONALS' });
  const marks = repeater('quality_marks', 'Keurmerken', 'Keurmerk', [
    { name: 'type', label: 'Soort keurmerk', options: [['', 'Kies een keurmerk'], ...enumOptions('quality_mark')] },
    { name: 'name', label: 'Naam (verplicht bij "anders")' },
    { name: 'fidelity_score', label: 'IPS-modelgetrouwheid (25–125)', type: 'number' },
    { name: 'assessed_on', label: 'Beoordeeld op', type: 'date',
      get: (item) => (item.assessedOn || '').slice(0, 10),
      set: (item, v) => { if (v) item.assessedOn = `${v}T00:00:00Z`; else delete item.assessedOn; } },
  ], entry.qualityMarks || [], {});

  const slug = id ? null : textField('id', 'Korte naam in de link', '', {
    hint: `Kleine letters, cijfers en streepjes. De link wordt /aanbod/${orgId}/…`, required: true });
  const form = h('form', { id: 'entry-form', novalidate: true },
    heading,
    summary,
    slug,
    selectField('kind', 'Soort aanbod', kinds, entry.kind, { required: true }),
    textField('title', 'Titel', entry.title, { required: true, hint: 'Bijvoorbeeld: IPS-trajectbegeleiding Heerlen' }),
    textField('description', 'Omschrijving', entry.description, { type: 'textarea', hint: 'Wat biedt u, voor wie, en hoe werkt u?' }),
    checkGroup('interventions', 'Interventies', enumOptions('intervention'), entry.interventions),
    checkGroup('target_groups', 'Doelgroepen', enumOptions('target_group'), entry.targetGroups),
    checkGroup('regelingen', 'Regelingen', enumOptions('regeling'), entry.regelingen),
    checkGroup('funding', 'Financiering', enumOptions('funding'), entry.funding),
    h('fieldset', { id: fid('service_area'), 'data-field': 'service_area' },
      h('legend', {}, 'Werkgebied (verplicht)'),
      region.name && h('div', { class: 'checks' }, h('label', { class: 'check', for: 'area-region' },
        h('input', { type: 'checkbox', id: 'area-region', name: 'area-region', value: region.code,
          checked: (area.arbeidsmarktregioCodes || []).includes(region.code) }),
        `De hele arbeidsmarktregio ${region.name}`)),
      checkGroup('service_area.gemeentecodes', 'Of deze gemeenten', (region.gemeenten || []).map((c) => [c, areaName(c)]).sort((a, b) => a[1].localeCompare(b[1], 'nl')),
        (area.gemeentecodes || []).filter((c) => regionCodes.has(c))),
      textField('service_area.other', 'Andere gemeenten of regio\'s (codes)', otherAreas.join(', '), { hint: 'Gemeentecodes (GM0917) of arbeidsmarktregio-codes (AM30), gescheiden door komma\'s' })),
    h('fieldset', { id: fid('availability'), 'data-field': 'availability' }, h('legend', {}, 'Beschikbaarheid'),
      h('label', { class: 'check', for: fid('availability.accepting_new_clients') },
        h('input', { type: 'checkbox', id: fid('availability.accepting_new_clients'), checked: entry.availability?.acceptingNewClients }),
        'Neemt nieuwe cliënten aan'),
      textField('availability.wait_weeks', 'Wachttijd in weken', entry.availability?.waitWeeks || 0, { type: 'number', attrs: { min: '0' } }),
      textField('availability.free_places', 'Vrije plekken', entry.availability?.freePlaces || 0, { type: 'number', attrs: { min: '0' } })),
    textField('languages', 'Talen', (entry.languages || []).join(', '), { hint: 'Taalcodes, gescheiden door komma\'s: nl, en, ar, tr …' }),
    employerSet, locations, contacts, marks,
    h('div', { class: 'actions' },
      h('button', { type: 'submit', id: 'save' }, id ? 'Opslaan' : 'Publiceren'),
      h('button', { type: 'button', class: 'secondary', onclick: () => showList(page, organisations, orgId) }, 'Annuleren')));

  const kindSelect = form.querySelector(`#${fid('kind')}`);
  const toggleEmployer = () => { employerSet.hidden = kindSelect.value !== 'ENTRY_KIND_WERKGEVER'; };
  kindSelect.addEventListener('change', toggleEmployer);
  toggleEmployer();

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const next = { ...entry };
    if (!id) next.id = `${orgId}/${form.querySelector(`#${fid('id')}`).value.trim()}`;
    next.organisationId = orgId;
    next.kind = kindSelect.value || 'ENTRY_KIND_UNSPECIFIED';
    next.title = form.querySelector(`#${fid('title')}`).value.trim();
    next.description = form.querySelector(`#${fid('description')}`).value.trim();
    next.interventions = checked(form, 'interventions');
    next.targetGroups = checked(form, 'target_groups');
    next.regelingen = checked(form, 'regelingen');
    next.funding = checked(form, 'funding');
    const other = form.querySelector(`#${fid('service_area.other')}`).value.split(/[\s,;]+/).map((c) => c.trim().toUpperCase()).filter(Boolean);
    const regions = [...(form.querySelector('#area-region')?.checked ? [region.code] : []), ...other.filter((c) => c.startsWith('AM'))];
    next.serviceArea = {
      gemeentecodes: [...checked(form, 'service_area.gemeentecodes'), ...other.filter((c) => !c.startsWith('AM'))],
      arbeidsmarktregioCodes: regions,
    };
    next.availability = {
      acceptingNewClients: form.querySelector(`#${fid('availability.accepting_new_clients')}`).checked,
      waitWeeks: Number(form.querySelector(`#${fid('availability.wait_weeks')}`).value || 0),
      freePlaces: Number(form.querySelector(`#${fid('availability.free_places')}`).value || 0),
    };
    next.languages = form.querySelector(`#${fid('languages')}`).value.split(/[\s,;]+/).map((c) => c.trim().toLowerCase()).filter(Boolean);
    next.locations = locations.read();
    next.contacts = contacts.read();
    next.qualityMarks = marks.read().map((m) => {
      const mark = { ...m };
      if (!mark.type) mark.type = 'QUALITY_MARK_TYPE_UNSPECIFIED';
      if (!mark.fidelityScore) delete mark.fidelityScore;
      return mark;
    });
    if (next.kind === 'ENTRY_KIND_WERKGEVER') {
      const flags = new Set(checked(form, 'employer.flags'));
      next.employer = {
        sector: form.querySelector(`#${fid('employer.sector')}`).value,
        offers: checked(form, 'employer.offers'),
        openPlaces: Number(form.querySelector(`#${fid('employer.open_places')}`).value || 0),
        deNormaalsteZaak: flags.has('deNormaalsteZaak'),
        usesNoRiskpolis: flags.has('usesNoRiskpolis'),
        usesLoonkostensubsidie: flags.has('usesLoonkostensubsidie'),
      };
    } else {
      delete next.employer;
    }
    try {
      const res = await publish(next, version, !id);
      await showList(page, organisations, orgId, `"${res.entry.title}" is ${id ? 'opgeslagen' : 'gepubliceerd'}.`);
      page.querySelector('h2')?.focus();
    } catch (err) {
      showErrors(form, summary, err);
    }
  });
  page.replaceChildren(form);
  heading.focus();
}

// Puts each field violation next to its field (or the nearest enclosing
// one) and lists them all in a summary linking to the fields.
function showErrors(form, summary, err) {
  for (const old of form.querySelectorAll('.field-error')) old.remove();
  for (const old of form.querySelectorAll('[aria-invalid]')) old.removeAttribute('aria-invalid');
  summary.replaceChildren();
  const violations = err.violations || [];
  if (violations.length === 0) {
    summary.append(notice('error', h('p', {}, err.code === 'ABORTED' || err.code === 'FAILED_PRECONDITION'
      ? `Niet opgeslagen: ${errorText(err)} Laad de pagina opnieuw om de nieuwste versie te zien.`
      : `Niet opgeslagen: ${errorText(err)}`)));
    summary.focus();
    return;
  }
  const items = [];
  violations.forEach((v, n) => {
    let path = v.field;
    let holder = null;
    while (path) {
      holder = form.querySelector(`#${CSS.escape(fid(path))}`);
      if (holder) break;
      path = path.replace(/(\[\d+\]|\.[a-z_]+)$/, '');
      if (path === v.field) break;
    }
    const text = dutch(v.description);
    const errorId = `err-${n}`;
    const target = holder || form.querySelector('h2');
    const message = h('p', { class: 'field-error', id: errorId }, `${fieldLabel(target, v.field)}: ${text}`);
    if (holder) {
      holder.setAttribute('aria-invalid', 'true');
      const describedBy = holder.getAttribute('aria-describedby');
      holder.setAttribute('aria-describedby', describedBy ? `${describedBy} ${errorId}` : errorId);
      (holder.tagName === 'FIELDSET' ? holder.querySelector('legend') : holder).after(message);
    }
    items.push(h('li', {}, h('a', { href: `#${holder ? holder.id : ''}`, onclick: (e) => { e.preventDefault(); holder?.focus(); } },
      `${fieldLabel(target, v.field)}: ${text}`)));
  });
  summary.append(h('div', { class: 'notice error error-summary', role: 'alert' },
    h('h3', {}, `Het aanbod is niet opgeslagen: ${violations.length} ${violations.length === 1 ? 'probleem' : 'problemen'}`),
    h('ul', {}, items)));
  summary.focus();
}

function fieldLabel(holder, field) {
  if (!holder) return field;
  if (holder.tagName === 'FIELDSET') return holder.querySelector('legend')?.textContent || field;
  const labelEl = holder.id ? holder.form?.querySelector(`label[for="${CSS.escape(holder.id)}"]`) : null;
  const text = labelEl?.textContent.replace(' (verplicht)', '') || field;
  const item = holder.closest('fieldset.item');
  return item ? `${item.querySelector('legend').textContent}, ${text}` : text;
}
