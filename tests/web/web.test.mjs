// Browser tests of the web page against a real two-node region with demo
// data (started by tests/web/run.sh): the main flows of Zoeken, Aanbod
// beheren and Regio-overzicht, role restrictions, form errors, an axe-core
// check of every page, a phone-width check, and the timings of page loads
// and search-as-you-type.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const URL1 = process.env.KAARTNET_WEB_URL;
const URL2 = process.env.KAARTNET_WEB_URL2;
const TOKENS = {
  reader: process.env.KAARTNET_TOKEN_READER,
  region: process.env.KAARTNET_TOKEN_REGION,
  publisher: process.env.KAARTNET_TOKEN_PUBLISHER_GGZ_ZUID_LIMBURG,
};
const SHOTS = process.env.KAARTNET_SCREENSHOTS || '';
const timings = { pageLoadMs: {}, searchAsYouTypeMs: [] };

let browser;

before(async () => {
  assert.ok(URL1 && URL2, 'KAARTNET_WEB_URL(2) not set: run tests/web/run.sh');
  for (const [role, value] of Object.entries(TOKENS)) assert.ok(value, `no ${role} token in the environment`);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-dev-shm-usage'],
  });
});

after(async () => {
  await browser?.close();
  const summary = {
    pageLoadMs: Object.fromEntries(Object.entries(timings.pageLoadMs).map(([k, v]) => [k, stats(v)])),
    searchAsYouType: stats(timings.searchAsYouTypeMs),
  };
  console.log(`timings: ${JSON.stringify(summary)}`);
  if (process.env.KAARTNET_WEB_TIMINGS) writeFileSync(process.env.KAARTNET_WEB_TIMINGS, JSON.stringify(summary, null, 2));
});

function stats(values) {
  if (values.length === 0) return {};
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { n: sorted.length, p50: round(at(0.5)), p95: round(at(0.95)), max: round(sorted[sorted.length - 1]) };
}

function round(x) {
  return Math.round(x * 10) / 10;
}

// A fresh browser context (own sessionStorage), signed in with `role`'s token.
async function open(role, path, { width = 1280, height = 900, base = URL1 } = {}) {
  // bypassCSP: only so the test can inject axe-core; the page itself runs
  // under the node's Content-Security-Policy.
  const context = await browser.newContext({ viewport: { width, height }, locale: 'nl-NL', acceptDownloads: true,
    bypassCSP: true });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (err) => errors.push(err.message));
  if (role) {
    await context.addInitScript(([token]) => sessionStorage.setItem('kaartnet.token', token), [TOKENS[role]]);
  }
  await goto(page, `${base}${path}`);
  page.errors = errors;
  return page;
}

// Navigates and waits until app.js has drawn the view; records load time.
async function goto(page, url) {
  await page.goto(url);
  await page.waitForSelector('body[data-ready=true]');
  const name = new URL(url).pathname.split('/')[1] || 'zoeken';
  (timings.pageLoadMs[name] ||= []).push(Number(await page.getAttribute('body', 'data-ready-ms')));
}

async function axe(page, what) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () => window.axe.run(document, {
    runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
  }));
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(bad.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join('; ')})`), [],
    `axe found serious/critical violations on ${what}`);
}

async function shot(page, name) {
  if (SHOTS) await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: false });
}

async function resultsFor(page, query) {
  const before = await page.locator('#results').getAttribute('data-query');
  await page.fill('#q', '');
  await page.locator('#q').pressSequentially(query, { delay: 40 });
  await page.waitForFunction((prev) => {
    const list = document.querySelector('#results');
    return list.dataset.query !== prev && list.dataset.query.includes('q=');
  }, before);
  await page.waitForFunction((q) => new URLSearchParams(document.querySelector('#results').dataset.query).get('q') === q, query);
}

test('sign in: a wrong token is refused next to the field, a good one signs in', async () => {
  const page = await open(null, '/aanmelden');
  await page.fill('#token', 'kn_wrong_token');
  await page.click('form button[type=submit]');
  await page.waitForSelector('#token-error:not([hidden])');
  assert.match(await page.textContent('#token-error'), /onbekend, verlopen of ingetrokken/);
  assert.equal(await page.getAttribute('#token', 'aria-invalid'), 'true');
  await axe(page, 'Aanmelden with an error');
  await page.fill('#token', TOKENS.reader);
  await Promise.all([page.waitForURL(`${URL1}/`), page.click('form button[type=submit]')]);
  await page.waitForSelector('body[data-ready=true]');
  assert.equal(await page.textContent('#nav-account'), 'Afmelden / wisselen');
  await page.close();
});

test('anonymous callers are told to sign in (this node needs a token)', async () => {
  const page = await open(null, '/');
  assert.match(await page.textContent('main'), /Op dit knooppunt zoekt u met een token/);
  assert.match(await page.textContent('#result-status'), /Zoeken lukte niet/);
  await page.close();
});

test('Zoeken: results while typing, filters with counts, near a postcode, a shareable address', async () => {
  const page = await open('reader', '/');
  await page.waitForFunction(() => document.querySelectorAll('#results .card').length > 0);
  await resultsFor(page, 'ips psychose kerkrade');
  const firstCards = await page.locator('#results .card').allTextContents();
  assert.ok(firstCards.length >= 3, 'expected results for "ips psychose kerkrade"');
  assert.match(firstCards[0], /Kerkrade/, 'the best match is in Kerkrade');
  assert.match(firstCards[0], /IPS-trajectbegeleider/, 'and an IPS-trajectbegeleider');
  assert.match(page.url(), /q=ips\+psychose\+kerkrade/);
  assert.match(await page.textContent('#result-status'), /\d+ resultaten? voor "ips psychose kerkrade"/);

  // A second search as you type, for the timings.
  for (const q of ['jobcoach', 'ervaringsdeskundige verslaving', 'werkgever garantiebaan', 'jobcoach arabisch']) {
    await resultsFor(page, q);
  }
  timings.searchAsYouTypeMs.push(...await page.evaluate(() => window.kaartnetTimings));

  // A filter: the kind facet shows counts; choosing one narrows the list.
  await resultsFor(page, 'begeleiding');
  const kindBox = page.locator('#f-kind-jobcoach');
  await kindBox.waitFor();
  const facetLabel = await page.locator('label[for=f-kind-jobcoach]').textContent();
  const facetCount = Number(facetLabel.match(/\((\d+)\)/)[1]);
  assert.ok(facetCount > 0);
  await kindBox.check();
  await page.waitForFunction(() => new URLSearchParams(location.search).get('kind') === 'jobcoach');
  await page.waitForFunction((n) => document.querySelector('#result-status').textContent.startsWith(`${n} `), facetCount);
  for (const org of await page.locator('#results .card .org').allTextContents()) assert.match(org, /Jobcoach/);

  // Near a postcode, nearest first, within the radius.
  await page.fill('#q', 'jobcoach');
  await page.fill('#near', '6411 AB');
  await page.selectOption('#radius', '15');
  await page.selectOption('#sort', 'distance');
  await page.waitForFunction(() => {
    const p = new URLSearchParams(location.search);
    return p.get('sort') === 'distance' && p.get('radius') === '15' && document.querySelector('#results').dataset.query === p.toString();
  });
  const distances = (await page.locator('#results .card dd').allTextContents())
    .filter((t) => /^[\d,]+ km$/.test(t)).map((t) => Number(t.replace(' km', '').replace(',', '.')));
  assert.ok(distances.length > 0, 'cards show a distance');
  assert.deepEqual(distances, [...distances].sort((a, b) => a - b), 'nearest first');
  assert.ok(distances.every((d) => d <= 15), 'within the radius');
  await shot(page, 'zoeken');
  await axe(page, 'Zoeken with results');

  // The address is the search: opened elsewhere it gives the same results.
  const address = page.url();
  const status = await page.textContent('#result-status');
  const other = await open('reader', new URL(address).pathname + new URL(address).search);
  await other.waitForFunction(() => document.querySelector('#results').dataset.query !== undefined);
  assert.equal(await other.textContent('#result-status'), status);
  assert.equal(await other.inputValue('#near'), '6411 AB');
  assert.equal(await other.isChecked('#f-kind-jobcoach'), true);
  await other.close();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Zoeken works at phone width without sideways scrolling', async () => {
  const page = await open('reader', '/?q=ips+heerlen', { width: 375, height: 800 });
  await page.waitForFunction(() => document.querySelectorAll('#results .card').length > 0);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  assert.equal(await page.isVisible('.filters-toggle'), true, 'filters fold away behind a button');
  await shot(page, 'zoeken-telefoon');
  await page.close();
});

test('Detail: contacts for professionals are revealed on request, with a purpose', async () => {
  const page = await open('reader', '/aanbod/ggz-zuid-limburg/ips-maastricht');
  assert.match(await page.textContent('h1'), /./);
  assert.match(await page.textContent('#reveal-title'), /voor professionals/);
  const before = await page.locator('#contacts .contacts li').count();
  await axe(page, 'the detail page');
  await page.selectOption('#purpose', 'doorverwijzing');
  await page.click('#reveal');
  await page.waitForSelector('#contacts [role=status]');
  assert.match(await page.textContent('#contacts'), /vastgelegd in het toegangslogboek/);
  const afterCount = await page.locator('#contacts .contacts li').count();
  assert.ok(afterCount > before, `revealed ${afterCount} contacts, had ${before}`);
  assert.match(await page.textContent('#contacts'), /Alleen voor professionals/);
  await shot(page, 'detail');
  await page.close();
});

test('Roles: each page tells who may use it', async () => {
  const cases = [
    ['reader', '/beheer', /alleen voor medewerkers van een partnerorganisatie/],
    ['reader', '/regio', /alleen voor het Werkbedrijf/],
    ['publisher', '/regio', /alleen voor het Werkbedrijf/],
    ['region', '/beheer', /alleen voor medewerkers van een partnerorganisatie/],
  ];
  for (const [role, path, text] of cases) {
    const page = await open(role, path);
    assert.match(await page.textContent('main'), text, `${role} on ${path}`);
    assert.equal(await page.locator('table').count(), 0, `${role} sees no table on ${path}`);
    await page.close();
  }
  // An anonymous caller sees that contacts exist but not what they are.
  const page = await open(null, '/aanbod/ggz-zuid-limburg/ips-maastricht');
  assert.match(await page.textContent('main'), /aangemeld|token/i);
  assert.equal(await page.locator('#reveal').count(), 0);
  await page.close();
});

test('Aanbod beheren: errors next to fields, publish, edit, confirm, withdraw', async () => {
  const page = await open('publisher', '/beheer');
  await page.waitForSelector('#own-entries tbody tr');
  assert.match(await page.textContent('main'), /Geen cliëntgegevens/);
  const rowsBefore = await page.locator('#own-entries tbody tr').count();
  assert.ok(rowsBefore > 10, 'the organisation\'s own entries are listed');
  await axe(page, 'Aanbod beheren (list)');
  await shot(page, 'beheer');

  // An empty form: the node refuses it; the page says which fields and why.
  await page.click('#new-entry');
  await page.waitForSelector('#entry-form');
  await page.click('#save');
  await page.waitForSelector('.error-summary');
  assert.match(await page.textContent('.error-summary h3'), /niet opgeslagen: \d+ problemen/);
  assert.equal(await page.getAttribute('#fld-title', 'aria-invalid'), 'true');
  assert.match(await page.locator('[data-field=title] .field-error').textContent(), /Titel: is verplicht/);
  assert.equal(await page.getAttribute('#fld-service_area', 'aria-invalid'), 'true');
  await axe(page, 'the entry form with errors');
  await shot(page, 'beheer-formulier');

  // A bad postcode is named at its own field.
  const slug = `ips-test-${Date.now().toString(36)}`;
  await page.fill('#fld-id', slug);
  await page.selectOption('#fld-kind', 'ENTRY_KIND_IPS_TRAJECTBEGELEIDER');
  await page.fill('#fld-title', 'IPS-trajectbegeleiding proefproject Vaals');
  await page.fill('#fld-description', 'Begeleiding naar betaald werk volgens IPS, samen met het behandelteam.');
  await page.check('#fld-interventions-INTERVENTION_IPS');
  await page.check('#fld-target_groups-TARGET_GROUP_PSYCHOSE');
  await page.check('#fld-service_area-gemeentecodes-GM0981');
  await page.click('text=Locatie toevoegen');
  await page.fill('#fld-locations-0--name', 'Vaals centrum');
  await page.fill('#fld-locations-0--street', 'Maastrichterlaan');
  await page.fill('#fld-locations-0--house_number', '10');
  await page.fill('#fld-locations-0--postcode', '12345');
  await page.fill('#fld-locations-0--city', 'Vaals');
  await page.selectOption('#fld-locations-0--gemeentecode', 'GM0981');
  await page.click('text=Contact toevoegen');
  await page.fill('#fld-contacts-0--name', 'Sanne Janssen');
  await page.fill('#fld-contacts-0--phone', '043-123 45 67');
  await page.click('#save');
  await page.waitForFunction(() => document.querySelector('[data-field="locations[0].postcode"] .field-error'));
  assert.match(await page.locator('[data-field="locations[0].postcode"] .field-error').textContent(),
    /Postcode: "12345" is geen Nederlandse postcode/);
  assert.equal(await page.locator('.error-summary li').count(), 1, 'only the postcode is wrong');

  await page.fill('#fld-locations-0--postcode', '6291 AB');
  await page.click('#save');
  await page.waitForSelector('#beheer-status .notice.ok');
  assert.match(await page.textContent('#beheer-status'), /is gepubliceerd/);
  const id = `ggz-zuid-limburg/${slug}`;
  const row = page.locator(`tr[data-id="${id}"]`);
  await row.waitFor();

  // It replicates: node2's page finds it.
  const reader2 = await open('reader', `/?q=proefproject+vaals`, { base: URL2 });
  await reader2.waitForFunction((wanted) => [...document.querySelectorAll('#results a')].some((a) => a.getAttribute('href') === `/aanbod/${wanted}`), id, { timeout: 10000 });
  await reader2.close();

  // Edit: the title changes, the contact for professionals is kept.
  await row.locator('[data-action=edit]').click();
  await page.waitForSelector('#entry-form');
  assert.equal(await page.inputValue('#fld-contacts-0--name'), 'Sanne Janssen');
  await page.fill('#fld-title', 'IPS-trajectbegeleiding Vaals');
  await page.click('#save');
  await page.waitForSelector('#beheer-status .notice.ok');
  assert.match(await page.textContent('#beheer-status'), /"IPS-trajectbegeleiding Vaals" is opgeslagen/);

  // Controleer en bevestig.
  await page.locator(`tr[data-id="${id}"] [data-action=confirm]`).click();
  await page.waitForFunction(() => /is bevestigd/.test(document.querySelector('#beheer-status').textContent));

  // Withdraw, after saying yes.
  await page.locator(`tr[data-id="${id}"] [data-action=withdraw]`).click();
  await page.locator(`tr[data-id="${id}"] [data-action=withdraw-yes]`).click();
  await page.waitForFunction(() => /is ingetrokken/.test(document.querySelector('#beheer-status').textContent));
  assert.equal(await page.locator(`tr[data-id="${id}"]`).count(), 0);
  const detail = await open('reader', `/aanbod/${id}`);
  assert.match(await detail.textContent('main'), /ingetrokken/);
  await detail.close();
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('Regio-overzicht: coverage, gaps, stale entries, types, peers and the contact list', async () => {
  const page = await open('region', '/regio');
  await page.waitForSelector('#coverage-table tbody tr');
  const gemeenten = await page.locator('#coverage-table tbody tr').count();
  assert.ok(gemeenten >= 15, `Zuid-Limburg has ${gemeenten} gemeenten in the table`);
  const header = await page.locator('#coverage-table thead th').allTextContents();
  assert.ok(header.includes('IPS-trajectbegeleider') && header.includes('Ervaringsdeskundige'), header.join('|'));
  assert.match(await page.textContent('#gaps'), /Zonder IPS-trajectbegeleider/);
  await page.waitForSelector('#orgs-table tbody tr');
  await page.waitForSelector('#types-table tbody tr');
  await page.waitForSelector('#peers-table tbody tr');
  assert.match(await page.textContent('#peers-table tbody'), /node2/);
  assert.match(await page.textContent('#peers-table tbody'), /ja/);
  await axe(page, 'Regio-overzicht');
  await shot(page, 'regio');

  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-contacts')]);
  const path = await download.path();
  const csv = readFileSync(path, 'utf8');
  assert.ok(csv.startsWith('\uFEFForganisatie;organisatie_id;aanbod;aanbod_id;soort;naam;rol;telefoon;e-mail;zichtbaarheid\r\n'));
  assert.ok(csv.split('\r\n').length > 50, 'the contact list has rows');
  assert.match(csv, /;professionals\r\n/);
  await page.waitForSelector('#export-contacts ~ * .notice.ok, [role=status] .notice.ok');
  assert.deepEqual(page.errors, []);
  await page.close();
});
