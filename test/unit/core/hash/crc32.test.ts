// crc32: the store's cache files were written with zlib's CRC-32; the JavaScript one must agree.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { crc32 } from '../../../../core/src/hash/crc32.js';

test('bytes: the same values as zlib, unsigned, for every length up to a few kilobytes', () => {
  assert.equal(crc32(Buffer.alloc(0)), 0);
  assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926, 'the check value of CRC-32/ISO-HDLC');
  for (let length = 1; length < 4096; length += 37) {
    const bytes = randomBytes(length);
    assert.equal(crc32(bytes), zlibCrc32(bytes), `${length} random bytes`);
  }
});

test('text: the CRC-32 of its UTF-8 bytes, as zlib computes it for a string', () => {
  const texts = [
    '',
    '{"o":0,"l":120,"e":{"kind":"publish"}}',
    'café · naïve … “quoted” — 日本語 😀 \u0000 \u007f \u0080 \u07ff \u0800 \uffff',
    'lone surrogates \ud800 and \udfff', // both written as U+FFFD
  ];
  for (const text of texts) {
    assert.equal(crc32(text), zlibCrc32(text), JSON.stringify(text));
    assert.equal(crc32(text), crc32(Buffer.from(text, 'utf8')), JSON.stringify(text));
  }
});
