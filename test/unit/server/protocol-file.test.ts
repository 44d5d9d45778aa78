// server/src/protocol.ts is the one file the VS Code client imports from the server, so it must
// not pull any runtime code into the client bundle: type-only imports at most.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../../helpers/paths.js';

test('the protocol file has no runtime imports', () => {
  const text = readFileSync(path.join(REPO_ROOT, 'server/src/protocol.ts'), 'utf8');
  const imports = [
    ...text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?from\s*['"]([^'"]+)['"]/gm),
  ];
  const runtime = imports.filter((m) => m[2] === undefined).map((m) => m[3]);
  assert.deepEqual(runtime, []);
  assert.ok(!/^\s*import\s*['"]/m.test(text), 'a side-effect import');
  assert.match(
    text,
    /VALIDATED_NOTIFICATION = 'lockstep\/validated'/,
    'the scan read the real file',
  );
});
