// Validates HSDS JSON against the official HSDS 3.0 schemas in
// hsds-schema/ (see its SOURCE.md).
//
//   node validate-hsds.mjs dataset FILE      {"organizations", "services",
//                                            "taxonomies", "taxonomy_terms"}
//   node validate-hsds.mjs page KIND FILE    an API page {"contents": [...]}
//   node validate-hsds.mjs one KIND FILE     one object
// KIND: service, organization, taxonomy, taxonomy_term. Exit 1 on any error.
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const here = dirname(fileURLToPath(import.meta.url));
const schemaDir = join(here, 'hsds-schema');
// The schema files use descriptive keywords of their own (name, path,
// constraints, example, core ...): not strict about unknown keywords, but
// every standard keyword and format is checked.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
addFormats(ajv);
ajv.addFormat('%Y', /^\d{4}$/);
ajv.addFormat('csv', true);
for (const file of readdirSync(schemaDir)) {
  if (!file.endsWith('.json') || file === 'openapi.json') continue;
  ajv.addSchema(JSON.parse(readFileSync(join(schemaDir, file), 'utf8')), file);
}

let failures = 0;
let checked = 0;
function check(kind, value, where) {
  const validate = ajv.getSchema(`${kind}.json`);
  if (!validate) throw new Error(`no schema ${kind}.json`);
  checked++;
  if (!validate(value)) {
    failures++;
    if (failures <= 20) console.error(`${where}: ${ajv.errorsText(validate.errors, { dataVar: kind })}`);
  }
}

const [mode, a, b] = process.argv.slice(2);
if (mode === 'dataset') {
  const data = JSON.parse(readFileSync(a, 'utf8'));
  for (const [key, kind] of [['organizations', 'organization'], ['services', 'service'],
    ['taxonomies', 'taxonomy'], ['taxonomy_terms', 'taxonomy_term']]) {
    if (!Array.isArray(data[key]) || data[key].length === 0) {
      console.error(`${a}: no ${key}`);
      failures++;
      continue;
    }
    data[key].forEach((item, i) => check(kind, item, `${key}[${i}]`));
  }
} else if (mode === 'page') {
  const page = JSON.parse(readFileSync(b, 'utf8'));
  for (const field of ['total_items', 'total_pages', 'page_number', 'size', 'first_page', 'last_page', 'empty', 'contents']) {
    if (!(field in page)) { console.error(`${b}: page has no ${field}`); failures++; }
  }
  (page.contents || []).forEach((item, i) => check(a, item, `contents[${i}]`));
} else if (mode === 'one') {
  check(a, JSON.parse(readFileSync(b, 'utf8')), b);
} else {
  console.error('usage: validate-hsds.mjs dataset FILE | page KIND FILE | one KIND FILE');
  process.exit(2);
}
console.log(`${checked} objects checked against the HSDS 3.0 schemas, ${failures} invalid`);
process.exit(failures === 0 && checked > 0 ? 0 : 1);
