/** Prints run comparisons for people: one line per step, diffs under changed ones, totals. */
import type { JsonValue } from '../model/workflow.js';
import { shortId } from '../model/content-id.js';
import type { RunComparison, RunTotals, StepChange, ValueDiff } from '../replay/compare.js';
import type { DivergenceReport } from '../replay/divergence.js';
import type { Output } from './output.js';

const LABELS: Record<StepChange, string> = {
  identical: 'identical',
  'output-changed': 'output changed',
  'input-changed': 'input changed',
  'status-changed': 'status changed',
  'branch-changed': 'branch changed',
  added: 'added',
  removed: 'removed',
};

/** The comparison of run B against run A. */
export function printComparison(output: Output, comparison: RunComparison): void {
  const out = (line: string): void => output.out(line);
  const version = (v: RunComparison['a']['version']): string =>
    v.seq === undefined ? shortId(v.id) : `v${v.seq}`;
  out(`A ${comparison.a.run} (${version(comparison.a.version)}, ${comparison.a.status})`);
  out(`B ${comparison.b.run} (${version(comparison.b.version)}, ${comparison.b.status})`);
  out('Steps:');
  for (const step of comparison.steps) {
    const first = step.path === comparison.firstDivergence ? '  ← first divergence' : '';
    const provenance = step.provenance ? `  [${step.provenance}]` : '';
    const status =
      step.change === 'status-changed' || step.change === 'branch-changed'
        ? ` (${step.a?.status} → ${step.b?.status})`
        : '';
    out(`  ${step.path.padEnd(28)} ${LABELS[step.change]}${status}${provenance}${first}`);
    if (step.change === 'input-changed' && step.inputDiff)
      printDiff(output, step.inputDiff, '      input ');
    if (step.outputDiff && step.change !== 'identical')
      printDiff(output, step.outputDiff, '      ');
  }
  out(comparison.output.kind === 'same' ? 'Output: identical' : 'Output: changed');
  if (comparison.output.kind !== 'same') printDiff(output, comparison.output, '  ');
  const { a, b } = comparison.totals;
  out(
    `Tokens: ${tokens(a)} → ${tokens(b)}${delta(a.tokens.input + a.tokens.output, b.tokens.input + b.tokens.output, '')}`,
  );
  if (a.cost !== undefined || b.cost !== undefined) out(`Cost: ${dollars(a)} → ${dollars(b)}`);
  if (a.latencyMs !== undefined && b.latencyMs !== undefined) {
    out(`Latency: ${a.latencyMs} ms → ${b.latencyMs} ms${delta(a.latencyMs, b.latencyMs, ' ms')}`);
  }
}

/** A divergence report: where, recorded vs now, and the diff. */
export function printDivergence(output: Output, report: DivergenceReport): void {
  output.out(
    `Diverged at ${report.path} (${report.kind} request, occurrence ${report.occurrence})`,
  );
  output.out(`  now       ${report.now.key}`);
  output.out(
    report.recorded
      ? `  recorded  ${report.recorded.key} (closest, at ${report.recorded.path})`
      : '  recorded  nothing comparable',
  );
  if (report.diff) output.out(report.diff.trimEnd().replace(/^/gm, '  '));
}

function printDiff(output: Output, diff: ValueDiff, indent: string): void {
  switch (diff.kind) {
    case 'same':
      return;
    case 'structural':
      for (const change of diff.changes.slice(0, 20)) {
        const sign = change.type === 'added' ? '+' : change.type === 'removed' ? '-' : '~';
        const before = change.before === undefined ? '' : `${short(change.before)} → `;
        const after = change.after === undefined ? '' : short(change.after);
        output.out(`${indent}${sign} ${change.path || '(value)'}: ${before}${after}`);
      }
      if (diff.changes.length > 20)
        output.out(`${indent}… ${diff.changes.length - 20} more changes`);
      return;
    case 'text':
      for (const part of diff.parts) {
        if (!part.added && !part.removed) continue;
        for (const line of part.value.replace(/\n$/, '').split('\n'))
          output.out(`${indent}${part.added ? '+' : '-'} ${line}`);
      }
      return;
    case 'replaced':
      output.out(`${indent}- ${short(diff.before)}`);
      output.out(`${indent}+ ${short(diff.after)}`);
  }
}

function short(value: JsonValue): string {
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}…` : text;
}

function tokens(t: RunTotals): string {
  return `${t.tokens.input + t.tokens.output}`;
}

function dollars(t: RunTotals): string {
  return t.cost === undefined ? 'n/a (no price for a model)' : `$${t.cost.toFixed(6)}`;
}

function delta(a: number, b: number, unit: string): string {
  if (a === b) return '';
  return ` (${b > a ? '+' : ''}${b - a}${unit})`;
}
