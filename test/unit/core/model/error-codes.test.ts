// Error codes are a contract with scripts and the editor: each is documented in docs/cli.md, and
// every deliberate error class carries one.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { ERROR_CODES, LockstepError } from '../../../../core/src/model/errors.js';
import { EngineError } from '../../../../core/src/engine/engine-error.js';
import { InputError } from '../../../../core/src/model/inputs.js';
import { IndexUnavailableError } from '../../../../core/src/node/store/index/store-index.js';
import { REPO_ROOT } from '../../../helpers/paths.js';

test('every error code is documented in docs/cli.md, once', () => {
  const docs = readFileSync(path.join(REPO_ROOT, 'docs/cli.md'), 'utf8');
  const section = docs.slice(docs.indexOf('## Error codes'));
  const all = [...ERROR_CODES.operation, ...ERROR_CODES.run];
  assert.equal(new Set(all).size, all.length, 'no code is in both groups');
  for (const code of all) assert.ok(section.includes(`\`${code}\``), `${code} is documented`);
});

test('the errors other parts raise are LockstepErrors with a code', () => {
  for (const error of [
    new EngineError('timeout', 'x'),
    new InputError('greet', ['input who is required']),
    new IndexUnavailableError('closed'),
  ]) {
    assert.ok(error instanceof LockstepError, error.name);
    assert.ok(error.code.length > 0);
  }
});
