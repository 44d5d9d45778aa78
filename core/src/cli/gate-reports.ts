/**
 * The reports of `lockstep gate`: text for people, Markdown for a pull request, JUnit XML for CI
 * test views (one testcase per replayed run), JSON for tools. Each changed run is listed with its
 * first changed step and the outputs that broke their rules (expected / actual).
 */
import { shortId } from '../model/content-id.js';
import type { GateReport, GateRunResult } from '../node/services/gate.js';
import type { ReportFormat } from './report-options.js';
import { cell, codeBlock, oneLine, seconds, xmlEscape } from './report-text.js';

/** The report in `format`, as the text of a file (ending with a newline). */
export function formatGateReport(report: GateReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify({ ok: report.pass, ...report }, null, 2)}\n`;
    case 'junit':
      return junit(report);
    case 'markdown':
      return markdown(report);
    case 'text':
      return text(report);
  }
}

function label(workflow: string, version: { readonly id: string; readonly seq?: number }): string {
  return version.seq === undefined
    ? `${workflow} ${shortId(version.id)}`
    : `${workflow} v${version.seq}`;
}

/** `support-triage v2 against production (v1)`. */
function subject(report: GateReport): string {
  const baseline = label(report.workflow, report.baseline).slice(report.workflow.length + 1);
  return `${label(report.workflow, report.candidate)} against ${
    report.baseline.channel ? `${report.baseline.channel} (${baseline})` : baseline
  }`;
}

function percent(value: number): string {
  return `${+value.toFixed(1)}%`;
}

/** The one-line verdict. */
export function gateSummary(report: GateReport): string {
  if (report.cancelled) {
    return `Gate cancelled after ${report.results.length} of ${report.sample.length} runs: ${subject(report)}`;
  }
  if (report.results.length === 0) {
    return `Gate passed without evidence: no live runs of ${label(report.workflow, report.baseline)} to replay (${subject(report)})`;
  }
  const verdict = report.pass ? 'passed' : 'FAILED';
  return `Gate ${verdict}: ${report.changed} of ${report.results.length} runs changed (${percent(report.changedPercent)}, at most ${percent(report.maxChangedPercent)} allowed): ${subject(report)}; ${report.available} runs available`;
}

/** What changed in a run: the first changed step, and expected / actual of the broken outputs. */
function changeLines(result: GateRunResult): string[] {
  const lines: string[] = [];
  if (result.firstChangedStep !== undefined) {
    lines.push(`first changed step: ${result.firstChangedStep}`);
  }
  for (const output of result.outputs ?? []) {
    if (output.pass) continue;
    lines.push(`output ${output.output} (${output.rule}): ${output.reason ?? 'differs'}`);
    lines.push(`  expected: ${oneLine(output.expected)}`);
    lines.push(`  actual:   ${oneLine(output.actual)}`);
  }
  if (result.replay !== undefined) lines.push(`replay run: ${result.replay}`);
  return lines;
}

function changed(result: GateRunResult): boolean {
  return result.change !== 'unchanged';
}

function text(report: GateReport): string {
  const out: string[] = [];
  for (const result of report.results) {
    const mark = changed(result) ? result.change.toUpperCase().padEnd(9) : 'same     ';
    out.push(`${mark} ${result.run}  ${oneLine(result.input, 60)}`);
    if (!changed(result)) continue;
    out.push(`          ${result.message ?? 'changed'}`);
    for (const line of changeLines(result)) out.push(`          ${line}`);
  }
  out.push(...contextLines(report, (text) => text));
  out.push(gateSummary(report));
  return `${out.join('\n')}\n`;
}

function junit(report: GateReport): string {
  const failures = report.results.filter(changed).length;
  const time = seconds(report.results.reduce((sum, r) => sum + r.durationMs, 0));
  const suite = xmlEscape(`${report.workflow} gate`);
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="lockstep gate" tests="${report.results.length}" failures="${failures}" errors="0" time="${time}">`,
    `  <testsuite name="${suite}" tests="${report.results.length}" failures="${failures}" errors="0" skipped="0" time="${time}">`,
    '    <properties>',
    `      <property name="candidate" value="${xmlEscape(report.candidate.id)}"/>`,
    `      <property name="baseline" value="${xmlEscape(report.baseline.id)}"/>`,
    `      <property name="verdict" value="${xmlEscape(gateSummary(report))}"/>`,
    '    </properties>',
  ];
  for (const result of report.results) {
    const name = xmlEscape(`${result.run} ${oneLine(result.input, 60)}`);
    const open = `    <testcase classname="${suite}" name="${name}" time="${seconds(result.durationMs)}"`;
    if (!changed(result)) {
      out.push(`${open}/>`);
      continue;
    }
    const message = `${result.change}: ${result.message ?? 'changed'}`;
    out.push(
      `${open}>`,
      `      <failure message="${xmlEscape(message)}" type="${result.change}">${xmlEscape(
        [message, ...changeLines(result)].join('\n'),
      )}</failure>`,
      '    </testcase>',
    );
  }
  out.push('  </testsuite>', '</testsuites>');
  return `${out.join('\n')}\n`;
}

/**
 * Where the runs came from and who else the channel's change reaches: the bundle the sample was
 * drawn from, and the workflows calling this one through the channel.
 */
function contextLines(report: GateReport, code: (text: string) => string): string[] {
  const lines: string[] = [];
  if (report.bundle !== undefined) lines.push(`Runs drawn from bundle ${code(report.bundle)}.`);
  const channel = report.baseline.channel;
  if (channel !== undefined) {
    const callers = report.callers.map(
      (caller) =>
        `${code(caller.workflow)} (${caller.steps.length === 1 ? 'step' : 'steps'} ${caller.steps.map(code).join(', ')})`,
    );
    lines.push(
      callers.length === 0
        ? `No workflow of this workspace calls ${code(report.workflow)} through ${code(channel)}.`
        : `Called through ${code(channel)} by ${callers.join(', ')}: promoting changes what they run.`,
    );
  }
  return lines;
}

function markdown(report: GateReport): string {
  const out = [`## Lockstep gate: ${cell(subject(report))}`, '', cell(gateSummary(report)), ''];
  const context = contextLines(report, (text) => `\`${cell(text)}\``);
  if (context.length > 0) out.push(context.join('\n'), '');
  const changedRuns = report.results.filter(changed);
  if (changedRuns.length > 0) {
    out.push(
      '| change | run | input | first changed step | why |',
      '| --- | --- | --- | --- | --- |',
    );
    for (const result of changedRuns) {
      out.push(
        `| **${result.change}** | ${cell(result.run)} | ${cell(oneLine(result.input, 60))} | ${cell(result.firstChangedStep ?? '')} | ${cell(result.message ?? '')} |`,
      );
    }
    out.push('');
    for (const result of changedRuns) {
      out.push(
        `### ${cell(result.run)}`,
        '',
        codeBlock(changeLines(result).join('\n') || (result.message ?? 'changed')),
        '',
      );
    }
  }
  const unchanged = report.results.length - changedRuns.length;
  if (unchanged > 0) out.push(`${unchanged} of ${report.results.length} runs unchanged.`, '');
  return `${out.join('\n')}\n`;
}
