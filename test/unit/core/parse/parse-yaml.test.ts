// YAML 1.1's explicit tags stay plain data: a `!!binary` value (a Buffer), a `!!set` (a Set) or a
// `!!timestamp` (a Date) would reach the schema checks as objects no check expects; the hostile
// input suite found a config of `!!binary` alone crashing the config's diagnostics.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseYamlText } from '../../../../core/src/parse/parse-yaml.js';
import { parseConfigText } from '../../../../core/src/validate/config.js';

test('YAML 1.1 tags are not resolved: plain data, and a warning at the tag', () => {
  for (const [text, value] of [
    ['a: !!binary aGk=', { a: 'aGk=' }],
    ['a: !!set {x, y}', { a: { x: null, y: null } }],
    ['a: !!timestamp 2001-12-14', { a: '2001-12-14' }],
    ['a: !!omap [ {x: 1} ]', { a: [{ x: 1 }] }],
  ] as const) {
    const parsed = parseYamlText(text);
    assert.deepEqual(parsed.value, value, text);
    assert.deepEqual(
      parsed.diagnostics.map((d) => [d.severity, d.range.start.column]),
      [['warning', 4]],
      text,
    );
  }
});

test('a config that is only a !!binary tag is refused at its top level, not a crash', () => {
  const { diagnostics } = parseConfigText('!!binary # Works');
  assert.equal(diagnostics.length, 1);
  assert.match(diagnostics[0]!.message, /must be a mapping/);
});
