// Secret redaction: every form of every secret, anywhere in a value (keys included), becomes its
// placeholder; the value given is never changed, and parts without a secret are shared as they are.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JsonValue } from '../../../../core/src/model/workflow.js';
import { redactSecrets, secretPlaceholder } from '../../../../core/src/engine/effects.js';

const SECRETS = new Map([
  ['API_KEY', 'sk-live-123'],
  ['PASSWORD', 'p@ss word/1'],
]);
const KEY = secretPlaceholder('API_KEY');
const PASSWORD = secretPlaceholder('PASSWORD');

test('secrets deep in lists and objects, after parts without any, are all redacted', () => {
  const value: JsonValue = {
    a: 'nothing here',
    list: ['plain', 1, null, { x: 'plain' }, `Bearer sk-live-123`, 'plain after', ['sk-live-123']],
    nested: { deeper: { url: 'https://h/?pw=p%40ss+word%2F1' }, after: [true, false] },
    'sk-live-123': 'a key that is a secret',
    last: 'plain',
  };
  const before = JSON.stringify(value);
  const redacted = redactSecrets(value, SECRETS) as { [key: string]: JsonValue };

  assert.deepEqual(redacted, {
    a: 'nothing here',
    list: ['plain', 1, null, { x: 'plain' }, `Bearer ${KEY}`, 'plain after', [KEY]],
    nested: { deeper: { url: `https://h/?pw=${PASSWORD}` }, after: [true, false] },
    [KEY]: 'a key that is a secret',
    last: 'plain',
  });
  assert.equal(JSON.stringify(value), before, 'the value given is unchanged');
  assert.ok(!JSON.stringify(redacted).includes('sk-live-123'));
});

test('parts without a secret are the same objects; a value without any is returned as it is', () => {
  const clean = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
  const value = { clean, secret: { header: 'Basic ' + btoa('p@ss word/1') } };
  const redacted = redactSecrets(value, SECRETS);
  assert.notEqual(redacted, value);
  assert.equal(redacted.clean, clean);
  assert.deepEqual(redacted.secret, { header: `Basic ${PASSWORD}` });
  assert.equal(redactSecrets(clean, SECRETS), clean);
});

test('a replay’s placeholders, in any of their encoded forms, come back as placeholders', () => {
  const placeholders = new Map([['API_KEY', KEY]]);
  const value = { url: `https://h/${encodeURIComponent(KEY)}`, auth: KEY };
  assert.deepEqual(redactSecrets(value, placeholders), { url: `https://h/${KEY}`, auth: KEY });
});
