// One entry: everything it says, its public contacts, and the contacts for
// professionals revealed on request (each reveal is written to the node's
// access log, with its purpose).
import {
  api, h, ctx, label, areaName, serviceAreaText, formatDate, availabilityText, setTitle,
  errorNotice, notice, ROLE_LABELS,
} from '/static/app.js';

const PURPOSES = [
  ['doorverwijzing', 'Doorverwijzing van een cliënt'],
  ['afstemming', 'Afstemming met deze professional'],
  ['overzicht', 'Overzicht van de regio'],
];

export async function render(view) {
  const id = decodeURIComponent(location.pathname.slice('/aanbod/'.length));
  const back = h('p', {}, h('a', { href: backLink() }, '← Terug naar zoeken'));
  let res;
  try {
    res = await api(`/api/v1/entries/${id}`);
  } catch (err) {
    setTitle('Niet gevonden');
    view.append(back, h('h1', {}, 'Aanbod niet gevonden'), errorNotice(err));
    return;
  }
  const e = res.entry;
  const status = res.status || {};
  setTitle(e.title || id);
  view.append(back);
  if (e.withdrawn) {
    view.append(h('h1', {}, id), notice('warn', h('p', {}, 'Dit aanbod is ingetrokken door de organisatie.')));
    return;
  }
  const contacts = h('section', { 'aria-labelledby': 'contacts-title' }, h('h2', { id: 'contacts-title' }, 'Contact'));
  drawContacts(contacts, e, Number(status.hiddenContacts || 0), id);

  view.append(h('article', { class: 'details' },
    h('h1', {}, e.title),
    h('p', { class: 'org' }, [status.organisationName || e.organisationId, label('org_type', status.organisationType), label('kind', e.kind)]
      .filter(Boolean).join(' · ')),
    status.stale && notice('warn', h('p', {}, `Deze gegevens zijn lang niet gecontroleerd (laatst op ${formatDate(e.lastVerified)}). Vraag bij de organisatie na of ze nog kloppen.`)),
    e.description && h('p', { class: 'description' }, e.description),
    h('dl', {},
      row('Beschikbaarheid', availabilityText(e.availability)),
      row('Werkgebied', serviceAreaText(e.serviceArea)),
      row('Interventies', list('intervention', e.interventions)),
      row('Doelgroepen', list('target_group', e.targetGroups)),
      row('Regelingen', list('regeling', e.regelingen)),
      row('Financiering', list('funding', e.funding)),
      row('Talen', (e.languages || []).map((code) => ctx.language.get(code) || code).join(', ')),
      row('Keurmerken', (e.qualityMarks || []).map(markText).join(', ')),
      e.employer && employerRows(e.employer),
      row('Laatst gecontroleerd', formatDate(e.lastVerified))),
    locations(e.locations || []),
    contacts,
    h('section', { 'aria-labelledby': 'source-title' },
      h('h2', { id: 'source-title' }, 'Herkomst'),
      h('p', { class: 'hint' }, `Gepubliceerd door ${status.organisationName || e.organisationId} en ondertekend met sleutel ${status.keyId || 'onbekend'}; binnengekomen via knooppunt ${status.originNodeId || 'onbekend'}.`))));
}

function backLink() {
  try {
    const ref = new URL(document.referrer);
    if (ref.origin === location.origin && ref.pathname === '/') return ref.pathname + ref.search;
  } catch (e) { /* no referrer */ }
  return '/';
}

function row(term, value) {
  if (!value || (Array.isArray(value) && value.length === 0)) return null;
  return [h('dt', {}, term), h('dd', {}, value)];
}

function list(enumName, values) {
  return (values || []).map((v) => label(enumName, v)).join(', ');
}

function markText(mark) {
  const name = mark.name || label('quality_mark', mark.type);
  return mark.fidelityScore ? `${name} (score ${mark.fidelityScore})` : name;
}

function employerRows(employer) {
  return [
    row('Sector', ctx.sector.get(employer.sector) || employer.sector),
    row('Biedt', list('offer', employer.offers)),
    row('Open plekken', employer.openPlaces ? String(employer.openPlaces) : ''),
    row('Regelingen voor de werkgever', [
      employer.deNormaalsteZaak && 'aangesloten bij De Normaalste Zaak',
      employer.usesNoRiskpolis && 'werkt met de no-riskpolis',
      employer.usesLoonkostensubsidie && 'werkt met loonkostensubsidie',
    ].filter(Boolean).join(', ')),
  ];
}

function locations(locs) {
  if (locs.length === 0) return null;
  return h('section', { 'aria-labelledby': 'locations-title' },
    h('h2', { id: 'locations-title' }, locs.length === 1 ? 'Locatie' : 'Locaties'),
    h('ul', {}, locs.map((l) => h('li', {},
      [l.name, [l.street, l.houseNumber].filter(Boolean).join(' '), [l.postcode, l.city].filter(Boolean).join(' '),
        l.gemeentecode && `gemeente ${areaName(l.gemeentecode)}`].filter(Boolean).join(', ')))));
}

function contactItem(c) {
  return h('li', {},
    h('strong', {}, c.name || 'Algemeen'), c.role ? ` — ${c.role}` : '',
    c.phone && [h('br'), 'Telefoon: ', h('a', { href: `tel:${c.phone.replace(/[^+0-9]/g, '')}` }, c.phone)],
    c.email && [h('br'), 'E-mail: ', h('a', { href: `mailto:${c.email}` }, c.email)],
    c.visibility === 'VISIBILITY_PROFESSIONALS' && [h('br'), h('span', { class: 'hint' }, 'Alleen voor professionals')]);
}

function drawContacts(section, entry, hidden, id) {
  const shown = entry.contacts || [];
  const body = h('div', { id: 'contacts' });
  section.append(body);
  body.append(shown.length > 0
    ? h('ul', { class: 'contacts' }, shown.map(contactItem))
    : h('p', {}, 'Geen openbare contactgegevens.'));
  if (hidden === 0) return;
  const role = ctx.me.role;
  const mayReveal = role === 'reader' || role === 'region-admin' || ctx.me.trusted ||
    (role === 'publisher' && ctx.me.organisationId === entry.organisationId);
  if (!mayReveal) {
    body.append(notice('', h('p', {}, `Er ${hidden === 1 ? 'is 1 contactpersoon' : `zijn ${hidden} contactpersonen`} alleen zichtbaar voor professionals. `,
      role === 'anonymous'
        ? h('a', { href: `/aanmelden?terug=${encodeURIComponent(location.pathname)}` }, 'Meld u aan als klantmanager')
        : `Uw rol (${ROLE_LABELS[role] || role}) mag deze niet inzien.`)));
    return;
  }
  const purpose = h('select', { id: 'purpose', name: 'purpose' },
    PURPOSES.map(([value, text]) => h('option', { value }, text)));
  const problem = h('div');
  const form = h('form', { class: 'notice', 'aria-labelledby': 'reveal-title',
    onsubmit: async (ev) => {
      ev.preventDefault();
      try {
        const res = await api(`/api/v1/entries/${id}?reveal_contacts=true&purpose=${encodeURIComponent(purpose.value)}`);
        body.replaceChildren(h('ul', { class: 'contacts' }, (res.entry.contacts || []).map(contactItem)),
          h('p', { class: 'hint', role: 'status' }, 'Contactgegevens getoond; dit is vastgelegd in het toegangslogboek.'));
        body.querySelector('a')?.focus();
      } catch (err) {
        problem.replaceChildren(errorNotice(err));
      }
    } },
  h('p', { id: 'reveal-title' }, h('strong', {}, `${hidden === 1 ? '1 contactpersoon' : `${hidden} contactpersonen`} voor professionals.`),
    ' Het inzien wordt vastgelegd (wie, wanneer, waarvoor).'),
  h('div', { class: 'field' }, h('label', { for: 'purpose' }, 'Waarvoor hebt u de gegevens nodig?'), purpose),
  h('button', { type: 'submit', id: 'reveal' }, 'Toon contactgegevens'), problem);
  body.append(form);
}
