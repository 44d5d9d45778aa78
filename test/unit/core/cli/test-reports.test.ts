// The reports of `lockstep test` hold hostile text safely: JUnit XML escapes markup and drops
// what XML cannot hold, Markdown keeps table cells in their cells and code in its fence.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTestReport, xmlEscape } from '../../../../core/src/cli/test-reports.js';
import type { BaselineTestReport } from '../../../../core/src/node/services/baseline-tests.js';

const HOSTILE = 'a<b>&"c\'\u0001\uFFFF\uD800 | ``` ]]>';

const report: BaselineTestReport = {
  workflow: 'triage',
  version: { id: 'sha256:' + '1'.repeat(64), seq: 3 },
  cancelled: false,
  results: [
    {
      baseline: {
        id: 'sha256:' + '2'.repeat(64),
        location: '.lockstep/baselines/triage/x.json',
        file: '.lockstep/baselines/triage/x.json',
        run: '01a2427b-6651-712f-87ea-8bd41834edb4',
        version: { id: `sha256:${'3'.repeat(64)}` },
        startedAt: '2026-12-04T19:00:00.000Z',
        input: { ticket: HOSTILE },
      },
      pass: false,
      message: HOSTILE,
      replay: '01a2427b-89da-700b-a195-9a96a20fed82',
      verdict: {
        pass: false,
        message: HOSTILE,
        firstChangedStep: 'classify',
        outputs: [
          {
            output: 'reply',
            rule: 'exact',
            pass: false,
            reason: 'differs',
            expected: 'x',
            actual: HOSTILE,
          },
        ],
      },
      durationMs: 1234,
    },
  ],
};

test('xmlEscape: markup escaped, characters XML cannot hold written as \\u escapes', () => {
  assert.equal(
    xmlEscape(HOSTILE),
    'a&lt;b&gt;&amp;&quot;c&apos;\\u0001\\uffff\\ud800 | ``` ]]&gt;',
  );
  assert.equal(xmlEscape('😀 é\t\n'), '😀 é\t\n', 'pairs, tabs and newlines stay');
});

test('JUnit: one suite, one case, a failure with message and expected / actual, nothing unescaped', () => {
  const xml = formatTestReport(report, 'junit');
  assert.match(
    xml,
    /<testsuite name="triage" tests="1" failures="1" errors="0" skipped="0" time="1.234">/,
  );
  assert.match(xml, /<property name="seq" value="3"\/>/);
  assert.match(xml, /<failure message="a&lt;b&gt;&amp;&quot;c&apos;\\u0001/);
  assert.match(
    xml,
    /first changed step: classify\noutput reply \(exact\): differs\n {2}expected: &quot;x&quot;/,
  );
  // eslint-disable-next-line no-control-regex
  assert.doesNotMatch(xml, /[\u0001\uFFFF]|[\uD800-\uDFFF]/);
  assert.doesNotMatch(xml.replace(/<[^>]*>/g, ''), /[<>]|&(?!(amp|lt|gt|quot|apos);)/);
});

test('Markdown: pipes escaped in cells, code fenced longer than any backtick run inside', () => {
  const md = formatTestReport(report, 'markdown');
  const row = md.split('\n').find((line) => line.startsWith('| **FAIL**'))!;
  assert.equal(row.split(/(?<!\\)\|/).length, 6, row);
  assert.match(md, /^````text$/m);
});

test('text and JSON: counts and verdicts', () => {
  assert.match(
    formatTestReport(report, 'text'),
    /^FAIL {2}01a2427b-.*\n.*\n.*first changed step: classify/m,
  );
  assert.match(formatTestReport(report, 'text'), /0 passed, 1 failed: triage v3\n$/);
  const json = JSON.parse(formatTestReport(report, 'json')) as {
    ok: boolean;
    passed: number;
    failed: number;
  };
  assert.deepEqual([json.ok, json.passed, json.failed], [false, 0, 1]);
});
