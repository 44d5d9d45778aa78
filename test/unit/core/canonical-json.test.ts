// canonicalJson writes plain JSON itself and leaves everything else to the `canonicalize`
// package: its text (and its errors) must be the package's, byte for byte, or every request key
// and version id would move. Tricky cases by hand, then a seeded random sweep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import canonicalize from 'canonicalize';
import { canonicalJson } from '../../../core/src/hash/canonical.js';

/** The package's text, or its error message, as canonicalJson would report it. */
function expected(value: unknown): string {
  try {
    const text = canonicalize(value);
    return text === undefined ? 'error: value cannot be represented as canonical JSON' : text;
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

function actual(value: unknown): string {
  try {
    return canonicalJson(value);
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

const circular: { self?: unknown } = {};
circular.self = circular;

const cases: unknown[] = [
  null,
  true,
  0,
  -0,
  1e21,
  1e-7,
  0.1 + 0.2,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  '',
  'é😀\u2028"\\\n\u0000',
  '\ud800',
  'x\udc00',
  [],
  [undefined, () => 1, Symbol('s')],
  [1, , 3],
  {},
  { b: 1, a: 2, é: 3, Z: 4, '10': 5, '9': 6, '😀': 7, '\uff61': 8 },
  { skipped: undefined, symbol: Symbol('s'), kept: null },
  { '\ud800': 1 },
  { '\ud800': undefined },
  { toJSON: () => ({ replaced: true }) },
  Object.assign(Object.create(null) as object, { b: 1, a: [1, { c: 'd' }] }),
  new Date(0),
  Object.assign([1, 2], { extra: true }),
  circular,
  undefined,
  () => 1,
];

test('canonicalJson gives canonicalize’s text and errors for tricky values', () => {
  for (const [i, value] of cases.entries()) {
    assert.equal(actual(value), expected(value), `case ${i}`);
  }
});

test('canonicalJson gives canonicalize’s text for random JSON-like values', () => {
  let seed = 20_261_126;
  const random = (): number =>
    (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const strings = ['', 'a', 'B', 'é', '😀', '\ud800', '10', '2', '"', '\\', '\u007f', 'toJSON'];
  const leaves: unknown[] = [null, true, false, 0, -0, 1.5, -2e-9, 1e300, Number.NaN, undefined];
  const value = (depth: number): unknown => {
    const roll = random();
    if (depth > 3 || roll < 0.3) return random() < 0.5 ? pick(strings) : pick(leaves);
    if (roll < 0.55)
      return Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1));
    const object: { [key: string]: unknown } = {};
    for (let i = Math.floor(random() * 5); i > 0; i--) object[pick(strings) + i] = value(depth + 1);
    return object;
  };
  for (let i = 0; i < 5_000; i++) {
    const sample = value(0);
    assert.equal(actual(sample), expected(sample), JSON.stringify(sample));
  }
});
