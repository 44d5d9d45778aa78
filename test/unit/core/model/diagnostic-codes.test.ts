// Diagnostic codes are a contract with editors and scripts: each one is documented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DIAGNOSTIC_CODES } from '../../../../core/src/model/diagnostics.js';
import { REPO_ROOT } from '../../../helpers/paths.js';

test('every diagnostic code is documented in docs/format.md', () => {
  const docs = readFileSync(path.join(REPO_ROOT, 'docs/format.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Diagnostic codes'));
  for (const code of DIAGNOSTIC_CODES) {
    assert.ok(section.includes(`\`${code}\``), `${code} is documented`);
  }
});
