/**
 * The reports of `lockstep test`: text for people, JUnit XML and Markdown for CI pipelines (one
 * testsuite per workflow, one testcase per baseline), JSON for tools.
 */
import { shortId } from '../model/content-id.js';
import type { BaselineTestReport, BaselineTestResult } from '../node/services/baseline-tests.js';
import type { ReportFormat } from './report-options.js';
import { cell, codeBlock, oneLine, seconds, xmlEscape } from './report-text.js';

export { xmlEscape };

/** The report in `format`, as the text of a file (ending with a newline). */
export function formatTestReport(report: BaselineTestReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(testReportJson(report), null, 2)}\n`;
    case 'junit':
      return junit(report);
    case 'markdown':
      return markdown(report);
    case 'text':
      return text(report);
  }
}

/** What `--format json` prints: the report with its counts. */
export function testReportJson(report: BaselineTestReport): Record<string, unknown> {
  const failed = report.results.filter((r) => !r.pass).length;
  return {
    ok: failed === 0 && !report.cancelled,
    ...report,
    passed: report.results.length - failed,
    failed,
  };
}

function versionLabel(report: BaselineTestReport): string {
  return report.version.seq === undefined
    ? `${report.workflow} ${shortId(report.version.id)}`
    : `${report.workflow} v${report.version.seq}`;
}

/** The lines explaining a failure: first changed step, and expected / actual of failed outputs. */
function failureLines(result: BaselineTestResult): string[] {
  const lines: string[] = [];
  if (result.verdict?.firstChangedStep !== undefined) {
    lines.push(`first changed step: ${result.verdict.firstChangedStep}`);
  }
  for (const output of result.verdict?.outputs ?? []) {
    if (output.pass) continue;
    lines.push(`output ${output.output} (${output.rule}): ${output.reason ?? 'differs'}`);
    lines.push(`  expected: ${oneLine(output.expected)}`);
    lines.push(`  actual:   ${oneLine(output.actual)}`);
  }
  return lines;
}

function summary(report: BaselineTestReport): string {
  const failed = report.results.filter((r) => !r.pass).length;
  const passed = report.results.length - failed;
  const cancelled = report.cancelled ? ' (cancelled before the end)' : '';
  return `${passed} passed, ${failed} failed: ${versionLabel(report)}${cancelled}`;
}

function text(report: BaselineTestReport): string {
  const out: string[] = [];
  if (report.results.length === 0 && !report.cancelled) {
    out.push(`No baselines of ${report.workflow} to test`);
  }
  for (const result of report.results) {
    const head = `${result.pass ? 'PASS' : 'FAIL'}  ${result.baseline.run}  ${oneLine(result.baseline.input, 60)}`;
    out.push(head);
    if (!result.pass) {
      out.push(`      ${result.message ?? 'failed'}`);
      for (const line of failureLines(result)) out.push(`      ${line}`);
    }
  }
  out.push(summary(report));
  return `${out.join('\n')}\n`;
}

function junit(report: BaselineTestReport): string {
  const failed = report.results.filter((r) => !r.pass).length;
  const time = seconds(report.results.reduce((sum, r) => sum + r.durationMs, 0));
  const suite = xmlEscape(report.workflow);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lockstep test" tests="${report.results.length}" failures="${failed}" errors="0" time="${time}">`,
    `  <testsuite name="${suite}" tests="${report.results.length}" failures="${failed}" errors="0" skipped="0" time="${time}">`,
    '    <properties>',
    `      <property name="version" value="${xmlEscape(report.version.id)}"/>`,
    ...(report.version.seq === undefined
      ? []
      : [`      <property name="seq" value="${report.version.seq}"/>`]),
    '    </properties>',
  ];
  for (const result of report.results) {
    const name = xmlEscape(`${result.baseline.run} ${oneLine(result.baseline.input, 60)}`);
    const open = `    <testcase classname="${suite}" name="${name}" time="${seconds(result.durationMs)}"`;
    if (result.pass) {
      out.push(`${open}/>`);
      continue;
    }
    out.push(`${open}>`);
    out.push(
      `      <failure message="${xmlEscape(result.message ?? 'failed')}" type="baseline">${xmlEscape(
        [result.message ?? 'failed', ...failureLines(result)].join('\n'),
      )}</failure>`,
    );
    if (result.replay !== undefined) {
      out.push(`      <system-out>${xmlEscape(`replay run ${result.replay}`)}</system-out>`);
    }
    out.push('    </testcase>');
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

function markdown(report: BaselineTestReport): string {
  const out = [`## Lockstep baselines: ${cell(versionLabel(report))}`, '', summary(report), ''];
  if (report.results.length > 0) {
    out.push('| verdict | run | input | message |', '| --- | --- | --- | --- |');
    for (const result of report.results) {
      out.push(
        `| ${result.pass ? 'pass' : '**FAIL**'} | ${cell(result.baseline.run)} | ${cell(oneLine(result.baseline.input, 60))} | ${cell(result.message ?? '')} |`,
      );
    }
    out.push('');
  }
  for (const result of report.results.filter((r) => !r.pass)) {
    out.push(
      `### ${cell(result.baseline.run)}`,
      '',
      codeBlock(failureLines(result).join('\n') || (result.message ?? 'failed')),
      '',
    );
  }
  return `${out.join('\n')}\n`;
}
