import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseConfigText } from '../../../../core/src/validate/config.js';
import { validateWorkflowText } from '../../../../core/src/validate/validate-workflow.js';

test('an empty config is the defaults', () => {
  assert.deepEqual(parseConfigText(''), { config: {}, diagnostics: [] });
});

test('a valid config is read', () => {
  const text =
    'env:\n  allow: [OLLAMA_URL]\nretention: { versions: 5 }\nreplay: { on_miss: stub }\nprices:\n  gpt-4o-mini: { input: 0.15, output: 0.6 }\n';
  const { config, diagnostics } = parseConfigText(text);
  assert.deepEqual(diagnostics, []);
  assert.deepEqual(config.env?.allow, ['OLLAMA_URL']);
  assert.equal(config.prices?.['gpt-4o-mini']?.output, 0.6);
});

test('config errors name the field and line, and fall back to the defaults', () => {
  const { config, diagnostics } = parseConfigText(
    'env:\n  allowed: [X]\nreplay: { on_miss: maybe }\n',
  );
  assert.deepEqual(config, {});
  assert.deepEqual(
    diagnostics.map((d) => [d.range.start.line, d.message]),
    [
      [2, "env.allowed: unknown key 'allowed' (did you mean 'allow'?); allowed here: allow"],
      [3, 'replay.on_miss: must be one of live, stub or fail (got "maybe")'],
    ],
  );
});

test('env references are checked against the allow-list when one is given', () => {
  const text =
    'name: e\nsteps:\n  - id: a\n    transform: "${{ env.HOME }} ${{ env.SECRET_PATH }}"\n';
  assert.deepEqual(validateWorkflowText(text).diagnostics, [], 'no allow-list known: not checked');
  const checked = validateWorkflowText(text, { envAllowList: ['HOME'] }).diagnostics;
  assert.deepEqual(
    checked.map((d) => [d.code, d.range.start.column]),
    [['env-not-allowed', 37]],
  );
  assert.match(
    checked[0]!.message,
    /env\.SECRET_PATH is not allow-listed: add it to env\.allow in \.lockstep\/config\.yaml/,
  );
});
