// Regio-overzicht (the Werkbedrijf): coverage gemeente × soort, gaps, stale
// entries per organisation, counts per organisation type, the contact list
// as a spreadsheet file (logged), and the state of this node and its peers.
import {
  api, h, ctx, label, formatDate, setTitle, notice, errorNotice, needsRole,
} from '/static/app.js';

// Kinds whose absence in a gemeente the overview calls out.
const KEY_KINDS = ['ENTRY_KIND_IPS_TRAJECTBEGELEIDER', 'ENTRY_KIND_ERVARINGSDESKUNDIGE', 'ENTRY_KIND_JOBCOACH'];

export async function render(view) {
  setTitle('Regio-overzicht');
  view.append(h('h1', {}, 'Regio-overzicht'));
  if (ctx.me.role !== 'region-admin' && !ctx.me.trusted) {
    view.append(needsRole('Het regio-overzicht', 'het Werkbedrijf (rol: region-admin)'));
    return;
  }
  const regionCode = new URLSearchParams(location.search).get('area') || ctx.vocab.region.code;
  const areaSelect = h('select', { id: 'area' },
    ctx.vocab.regios.map((r) => h('option', { value: r.code, selected: r.code === regionCode }, `${r.name} (${r.code})`)));
  areaSelect.addEventListener('change', () => location.assign(`/regio?area=${encodeURIComponent(areaSelect.value)}`));
  const coverage = h('section', { 'aria-labelledby': 'coverage-title' }, h('h2', { id: 'coverage-title' }, 'Dekking per gemeente'));
  const organisations = h('section', { 'aria-labelledby': 'orgs-title' }, h('h2', { id: 'orgs-title' }, 'Organisaties'));
  const exportSection = h('section', { 'aria-labelledby': 'export-title' }, h('h2', { id: 'export-title' }, 'Contactlijst'));
  const node = h('section', { 'aria-labelledby': 'node-title' }, h('h2', { id: 'node-title' }, 'Dit knooppunt en zijn peers'));
  view.append(h('div', { class: 'field' }, h('label', { for: 'area' }, 'Arbeidsmarktregio'), areaSelect),
    coverage, organisations, exportSection, node);
  drawExport(exportSection, regionCode);
  await Promise.all([drawCoverage(coverage, regionCode), drawOrganisations(organisations), drawNode(node)]);
}

async function drawCoverage(section, area) {
  let cov;
  try {
    cov = await api(`/api/v1/coverage?area=${encodeURIComponent(area)}`);
  } catch (err) {
    section.append(errorNotice(err));
    return;
  }
  const kinds = cov.kinds || [];
  const rows = cov.rows || [];
  const gaps = h('ul', { id: 'gaps' });
  for (const kind of KEY_KINDS) {
    const col = kinds.indexOf(kind);
    if (col < 0) continue;
    const missing = rows.filter((r) => !Number((r.counts || [])[col] || 0)).map((r) => r.name);
    gaps.append(h('li', {}, h('strong', {}, `Zonder ${label('kind', kind)}: `),
      missing.length === 0 ? 'geen — elke gemeente heeft er minstens één' : `${missing.length} ${missing.length === 1 ? 'gemeente' : 'gemeenten'} (${missing.join(', ')})`));
  }
  section.append(h('p', {}, `Hoeveel aanbod van elke soort de gemeenten van ${cov.areaName} bedient (een aanbod voor de hele arbeidsmarktregio telt in elke gemeente mee). Een 0 betekent: niets van die soort.`),
    gaps,
    h('div', { class: 'table-scroll', role: 'region', 'aria-labelledby': 'coverage-caption', tabindex: '0' },
      h('table', { class: 'coverage', id: 'coverage-table' },
        h('caption', { id: 'coverage-caption' }, `Aanbod per gemeente en soort, ${cov.areaName}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Gemeente'),
          kinds.map((k) => h('th', { scope: 'col', class: 'num' }, label('kind', k))))),
        h('tbody', {}, rows.map((r) => h('tr', {},
          h('th', { scope: 'row' }, r.name),
          kinds.map((k, i) => {
            const n = Number((r.counts || [])[i] || 0);
            return h('td', { class: n === 0 ? 'num gap' : 'num' }, String(n));
          })))))));
}

async function drawOrganisations(section) {
  let orgs;
  let types;
  try {
    [orgs, types] = await Promise.all([
      api('/api/v1/organisations'),
      api('/api/v1/search?facets=organisation-type&page_size=1'),
    ]);
  } catch (err) {
    section.append(errorNotice(err));
    return;
  }
  const list = (orgs.organisations || []).slice().sort((a, b) =>
    Number(b.staleCount || 0) - Number(a.staleCount || 0) || a.organisation.name.localeCompare(b.organisation.name, 'nl'));
  const entriesPerType = new Map(((types.facets || [])[0]?.counts || []).map((c) => [c.value, Number(c.count)]));
  const orgsPerType = new Map();
  for (const o of list) orgsPerType.set(o.organisation.type, (orgsPerType.get(o.organisation.type) || 0) + 1);
  const staleTotal = list.reduce((n, o) => n + Number(o.staleCount || 0), 0);
  section.append(
    h('h3', {}, 'Per soort organisatie'),
    h('div', { class: 'table-scroll', role: 'region', 'aria-labelledby': 'types-caption', tabindex: '0' },
      h('table', { id: 'types-table' },
        h('caption', { id: 'types-caption' }, 'Organisaties en aanbod per soort organisatie'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Soort organisatie'), h('th', { scope: 'col', class: 'num' }, 'Organisaties'),
          h('th', { scope: 'col', class: 'num' }, 'Aanbod'))),
        h('tbody', {}, [...orgsPerType.keys()].sort().map((type) => h('tr', {},
          h('th', { scope: 'row' }, label('org_type', type)),
          h('td', { class: 'num' }, String(orgsPerType.get(type))),
          h('td', { class: 'num' }, String(entriesPerType.get(type) || 0))))))),
    h('h3', {}, 'Verouderd aanbod per organisatie'),
    h('p', {}, staleTotal === 0 ? 'Alle aanbod is recent gecontroleerd.'
      : `${staleTotal} aanbod is lang niet gecontroleerd. Organisaties met het meeste verouderde aanbod staan bovenaan.`),
    h('div', { class: 'table-scroll', role: 'region', 'aria-labelledby': 'orgs-caption', tabindex: '0' },
      h('table', { id: 'orgs-table' },
        h('caption', { id: 'orgs-caption' }, 'Toegelaten organisaties'),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Organisatie'), h('th', { scope: 'col' }, 'Soort'),
          h('th', { scope: 'col', class: 'num' }, 'Aanbod'), h('th', { scope: 'col', class: 'num' }, 'Verouderd'),
          h('th', { scope: 'col' }, 'Toegelaten tot'))),
        h('tbody', {}, list.map((o) => {
          const stale = Number(o.staleCount || 0);
          return h('tr', {},
            h('th', { scope: 'row' }, o.organisation.name),
            h('td', {}, label('org_type', o.organisation.type)),
            h('td', { class: 'num' }, String(Number(o.entryCount || 0))),
            h('td', { class: stale > 0 ? 'num gap' : 'num' }, String(stale)),
            h('td', {}, o.organisation.validUntil ? formatDate(o.organisation.validUntil) : '—'));
        })))));
}

function drawExport(section, area) {
  const status = h('div', { role: 'status' });
  section.append(
    h('p', {}, 'Alle contactpersonen van het aanbod in deze regio, ook die alleen voor professionals zichtbaar zijn, als bestand voor Excel (puntkomma-gescheiden). De download wordt vastgelegd in het toegangslogboek.'),
    h('div', { class: 'actions' }, h('button', { type: 'button', id: 'export-contacts', onclick: async () => {
      status.replaceChildren();
      try {
        const res = await api(`/api/v1/export/contacts.csv?area=${encodeURIComponent(area)}`, { raw: true });
        const blob = await res.blob();
        const link = h('a', { href: URL.createObjectURL(blob), download: `contactlijst-${area}.csv` });
        document.body.append(link);
        link.click();
        link.remove();
        status.append(notice('ok', h('p', {}, `Contactlijst gedownload (${Math.round(blob.size / 1024)} kB).`)));
      } catch (err) {
        status.append(errorNotice(err));
      }
    } }, 'Contactlijst downloaden (CSV)')),
    status);
}

async function drawNode(section) {
  let s;
  try {
    s = await api('/api/v1/status');
  } catch (err) {
    section.append(errorNotice(err));
    return;
  }
  const peers = s.peers || [];
  section.append(
    h('dl', { class: 'details' },
      h('dt', {}, 'Knooppunt'), h('dd', {}, `${s.nodeId} (regio ${s.region}, versie ${s.version})`),
      h('dt', {}, 'Aanbod'), h('dd', {}, `${Number(s.liveEntries || 0)} actueel, ${Number(s.staleEntries || 0)} verouderd, ${Number(s.withdrawnEntries || 0)} ingetrokken`),
      h('dt', {}, 'Organisaties'), h('dd', {}, String(Number(s.organisations || 0))),
      h('dt', {}, 'Geweigerde records'), h('dd', {}, String(Number(s.refusedRecords || 0))),
      h('dt', {}, 'Toestand (digest)'), h('dd', {}, String(s.stateDigest || ''))),
    peers.length === 0 ? h('p', {}, 'Dit knooppunt heeft geen peers.') :
      h('div', { class: 'table-scroll', role: 'region', 'aria-labelledby': 'peers-caption', tabindex: '0' },
        h('table', { id: 'peers-table' },
          h('caption', { id: 'peers-caption' }, 'Peers'),
          h('thead', {}, h('tr', {}, ['Peer', 'Adres', 'Verbonden', 'Achterstand', 'Laatste contact', 'Laatste fout']
            .map((t) => h('th', { scope: 'col' }, t)))),
          h('tbody', {}, peers.map((p) => h('tr', {},
            h('th', { scope: 'row' }, p.nodeId || '(onbekend)'),
            h('td', {}, p.address || '—'),
            h('td', {}, p.connected ? 'ja' : h('strong', {}, 'nee')),
            h('td', {}, `${Number(p.lagRecords || 0)} records, ${(p.lagSeconds || 0).toLocaleString('nl-NL', { maximumFractionDigits: 1 })} s`),
            h('td', {}, p.connected ? `verbonden sinds ${new Date(p.connectedSince).toLocaleString('nl-NL')}` : '—'),
            h('td', {}, p.lastError ? `${p.lastError} (${new Date(p.lastErrorAt).toLocaleString('nl-NL')})` : '—')))))));
}
