/**
 * The scoreboard: every figure `npm run bench` measured, as rows of (figure, Lockstep's value,
 * the reference's value in the same run, ratio, target, held), written as docs/benchmarks.md and
 * docs/benchmarks.json. Nothing in those files is typed by hand: the page is regenerated from a
 * run, with the date, commit, machine and load average it was measured on.
 */
import type { EditorBenchResult } from './editor.bench.js';
import type { EngineBenchResult } from './engine.bench.js';
import type { GateBenchResult } from './gate.bench.js';
import type { HistoryBenchResult } from './history.bench.js';
import type { IndexBenchResult } from './index.bench.js';
import type { LanguageServerBenchResult } from './language-server.bench.js';
import type { PublishBenchResult } from './publish.bench.js';
import type { ReplayBenchResult } from './replay.bench.js';
import type { RunStartBenchResult } from './run-start.bench.js';
import type { RecordBenchResult } from './runs.bench.js';
import type { TeamStoreBenchResult } from './team-store.bench.js';
import type { QueueBenchResult } from './queue.bench.js';
import type { ServeBenchResult } from './serve.bench.js';

/** Every benchmark's result, by name, as `npm run bench` collects them. */
export interface BenchResults {
  readonly publish: PublishBenchResult;
  readonly recordRun: RecordBenchResult;
  readonly listRuns: IndexBenchResult;
  readonly history: HistoryBenchResult;
  readonly runStart: RunStartBenchResult;
  readonly engine: EngineBenchResult;
  readonly languageServer: LanguageServerBenchResult;
  readonly replay: ReplayBenchResult;
  readonly gate: GateBenchResult;
  /** Absent in results collected before the team store existed. */
  readonly teamStore?: TeamStoreBenchResult;
  /** Absent in results collected before the run queue existed. */
  readonly queue?: QueueBenchResult;
  /** Absent in results collected before lockstep serve existed. */
  readonly serve?: ServeBenchResult;
  readonly editor: EditorBenchResult;
}

/** A target: its text, and whether the measured value holds it. */
export interface Target {
  readonly text: string;
  readonly held: boolean;
}

/** One row of the scoreboard. */
export interface Figure {
  readonly group: string;
  readonly figure: string;
  readonly unit: 'ms' | 'runs/s' | 'jobs/s' | 'MB';
  readonly ours: number;
  /** The reference measured in the same run, when the figure has one. */
  readonly reference?: { readonly name: string; readonly value: number };
  /** ours / reference (for runs/s: reference / ours, so below 1 is better everywhere). */
  readonly ratio?: number;
  readonly target?: Target;
}

/** Where and when the figures were measured. */
export interface BenchContext {
  readonly at: string;
  readonly commit: string;
  readonly machine: {
    readonly node: string;
    readonly platform: string;
    readonly cpus: string;
    readonly memoryGb: number;
    readonly loadAverage: { readonly before: number; readonly after: number };
  };
  /** Peak resident memory of each benchmark group's process (MB). */
  readonly peakRssMb: Readonly<Record<string, number>>;
  /** The packaged extension's size, when it could be built. */
  readonly vsixBytes?: number;
  /** The reliability suites' counts, from the last `npm run test:reliability` here, if any. */
  readonly reliability?: {
    readonly at?: string;
    readonly suites: Readonly<Record<string, unknown>>;
  };
}

const round = (x: number, digits = 2): number => Math.round(x * 10 ** digits) / 10 ** digits;

function most(value: number, limit: number, unit: string): Target {
  return { text: `≤ ${limit}${unit}`, held: value <= limit };
}

function least(value: number, limit: number, unit: string): Target {
  return { text: `≥ ${limit}${unit}`, held: value >= limit };
}

function versus(
  group: string,
  figure: string,
  ours: number,
  name: string,
  theirs: number,
  target?: (ratio: number) => Target,
): Figure {
  const ratio = round(ours / theirs);
  return {
    group,
    figure,
    unit: 'ms',
    ours,
    reference: { name, value: theirs },
    ratio,
    ...(target ? { target: target(ratio) } : {}),
  };
}

/** The rows of the scoreboard, in the order the page shows them. */
export function figuresOf(results: BenchResults, context: BenchContext): Figure[] {
  const figures: Figure[] = [];
  const add = (figure: Figure): void => void figures.push(figure);

  for (const size of results.publish.sizes) {
    const n = size.versions.toLocaleString('en-US');
    add(
      versus(
        'Publishing',
        `publish a version (${n} published)`,
        size.lockstep.publish.median,
        'better-sqlite3',
        size.sqlite.publish.median,
        (r) => most(r, 2, '×'),
      ),
    );
    add(
      versus(
        'Publishing',
        `publish against the fdatasync floor (${n})`,
        size.lockstep.publish.median,
        'one fdatasync’ed append',
        size.appendFdatasync.median,
        (r) => most(r, 1.3, '×'),
      ),
    );
    add({
      ...versus(
        'Publishing',
        `open the store in process (${n})`,
        size.lockstep.openInProcess.median,
        'better-sqlite3',
        size.sqlite.openInProcess.median,
      ),
      ...(size.versions >= 10_000
        ? { target: most(size.lockstep.openInProcess.median, 10, ' ms') }
        : {}),
    });
  }

  for (const size of results.recordRun.sizes) {
    add(
      versus(
        'Recording runs',
        `record a ${results.recordRun.events}-event run (${size.runs.toLocaleString('en-US')} runs)`,
        size.lockstep.median,
        'better-sqlite3',
        size.sqlitePerEvent.median,
        (r) => most(r, 2, '×'),
      ),
    );
  }

  const list = results.listRuns;
  const runs = list.runs.toLocaleString('en-US');
  add({
    group: 'Listing runs',
    figure: `newest 50 of ${runs} runs, index warm`,
    unit: 'ms',
    ours: list.warm.median,
    target: most(list.warm.median, 100, ' ms'),
  });
  add({
    group: 'Listing runs',
    figure: `newest 50 of ${runs} runs, fresh process (Node's start excluded)`,
    unit: 'ms',
    ours: list.cold.total.median,
    target: most(list.cold.total.median, 50, ' ms'),
  });
  add(
    versus(
      'Listing runs',
      `whole \`lockstep runs\` at ${runs} runs`,
      list.cli.runs.median,
      '`node -e 0`',
      list.cli.nodeStart.median,
      (r) => most(r, 1.6, '×'),
    ),
  );
  add(
    versus(
      'Listing runs',
      'whole `lockstep --version`',
      list.cli.version.median,
      '`node -e 0`',
      list.cli.nodeStart.median,
      (r) => most(r, 1.3, '×'),
    ),
  );

  for (const engineCase of results.engine.cases) {
    add({
      group: 'Engine',
      figure: `overhead per step (${engineCase.name}, ${engineCase.steps} steps)`,
      unit: 'ms',
      ours: engineCase.perStep.median,
      target: most(engineCase.perStep.median, 0.2, ' ms'),
    });
  }

  const { exact, against, targets } = results.replay;
  add({
    group: 'Replay',
    figure: 'exact replay throughput',
    unit: 'runs/s',
    ours: exact.runsPerSecond,
    reference: {
      name: 'one fdatasync per run',
      value: results.replay.floor.concurrent.runsPerSecond,
    },
    ratio: round(results.replay.floor.concurrent.runsPerSecond / exact.runsPerSecond),
    target: least(exact.runsPerSecond, targets.exact, ' runs/s'),
  });
  add({
    group: 'Replay',
    figure: 'replay against a version (misses stubbed)',
    unit: 'runs/s',
    ours: against.runsPerSecond,
    target: least(against.runsPerSecond, targets.against, ' runs/s'),
  });
  add({
    group: 'Replay',
    figure: `gate: ${results.gate.options.sample} runs against a candidate`,
    unit: 'ms',
    ours: results.gate.gateMs.median,
    target: most(results.gate.gateMs.median, results.gate.targetMs, ' ms'),
  });

  for (const measured of results.teamStore?.results ?? []) {
    const clients = `${measured.clients} client${measured.clients === 1 ? '' : 's'}`;
    add({
      group: 'Team store',
      figure: `runs recorded per second, ${clients}: PostgreSQL store`,
      unit: 'runs/s',
      ours: measured.postgres,
      reference: { name: 'raw `pg` inserts of the same rows', value: measured.rawPg },
      ratio: round(measured.rawPg / measured.postgres),
    });
    add({
      group: 'Team store',
      figure: `runs recorded per second, ${clients}: file store`,
      unit: 'runs/s',
      ours: measured.files,
      reference: { name: 'the PostgreSQL store', value: measured.postgres },
      ratio: round(measured.postgres / measured.files),
    });
  }

  for (const measured of results.queue?.results ?? []) {
    add({
      group: 'Run queue',
      figure: `jobs taken and finished per second, ${measured.workers} worker${measured.workers === 1 ? '' : 's'}`,
      unit: 'jobs/s',
      ours: measured.skipLocked,
      reference: { name: 'the same without SKIP LOCKED', value: measured.plainLock },
      ratio: round(measured.plainLock / measured.skipLocked),
    });
    // Results collected before graphile-worker was measured have no such figure.
    if (measured.graphile !== undefined) {
      add({
        group: 'Run queue',
        figure: `jobs done per second, ${measured.workers} worker${measured.workers === 1 ? '' : 's'}, against a queue library`,
        unit: 'jobs/s',
        ours: measured.skipLocked,
        reference: { name: 'graphile-worker', value: measured.graphile },
        ratio: round(measured.graphile / measured.skipLocked),
      });
    }
  }

  if (results.serve) {
    add({
      group: 'Run queue',
      figure: 'from POST /v1/runs to the run started by an idle worker (median)',
      unit: 'ms',
      ours: results.serve.toStarted.median,
    });
  }

  const servers = results.languageServer.servers;
  for (const ours of servers.lockstep) {
    const theirs = servers.yamlNoDebounce.find((m) => m.steps === ours.steps);
    const felt = FELT_TARGETS[ours.steps];
    if (theirs === undefined) continue;
    add({
      ...versus(
        'Language server',
        `diagnostics after an edit (${ours.steps} steps)`,
        ours.latency.median,
        'yaml-language-server',
        theirs.latency.median,
        (r) => most(r, 1, '×'),
      ),
      ...(felt === undefined ? {} : { target: most(ours.latency.median, felt, ' ms') }),
    });
  }

  const editor = results.editor;
  if (editor.activationMs.length > 0) {
    const sorted = [...editor.activationMs].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    add({
      group: 'Editor',
      figure: `extension activation, median of ${sorted.length} window loads (real VS Code, from \`npm run test:e2e\`)`,
      unit: 'ms',
      ours: median,
      target: most(median, 50, ' ms'),
    });
  }
  add({
    group: 'Editor',
    figure: `History's first page, fresh service (${results.history.runs.toLocaleString('en-US')} runs)`,
    unit: 'ms',
    ours: results.history.cold.median,
    target: most(results.history.cold.median, 1000, ' ms'),
  });
  add({
    group: 'Editor',
    figure: "History's first page, warm service",
    unit: 'ms',
    ours: results.history.warm.median,
    target: most(results.history.warm.median, 100, ' ms'),
  });
  add({
    group: 'Editor',
    figure: 'Run to the first step’s status',
    unit: 'ms',
    ours: results.runStart.stepStatus.median,
    target: most(results.runStart.stepStatus.median, 150, ' ms'),
  });
  if (context.vsixBytes !== undefined) {
    const mb = round(context.vsixBytes / 1024 / 1024);
    add({
      group: 'Editor',
      figure: 'the packaged extension (`.vsix`)',
      unit: 'MB',
      ours: mb,
      target: most(mb, 5, ' MB'),
    });
  }
  return figures;
}

/** Felt-latency targets of the language server, by step count (ms). */
const FELT_TARGETS: Readonly<Record<number, number>> = { 50: 30, 100: 50, 500: 100 };

function value(figure: Figure | { unit: string; value: number }): string {
  const v = 'ours' in figure ? figure.ours : figure.value;
  const digits = v >= 100 ? 0 : v >= 10 ? 1 : 2;
  return `${v.toLocaleString('en-US', { maximumFractionDigits: digits })} ${figure.unit}`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.map((cell) => cell.replace(/\|/g, '\\|')).join(' | ')} |`;
}

/** The page: docs/benchmarks.md. */
export function scoreboardMarkdown(
  figures: readonly Figure[],
  context: BenchContext,
  reports: readonly string[],
): string {
  const { machine } = context;
  const held = figures.filter((f) => f.target?.held === true).length;
  const targeted = figures.filter((f) => f.target !== undefined).length;
  const out = [
    '# Benchmarks',
    '',
    '<!-- Generated by `npm run bench` (test/bench/scoreboard.ts); do not edit by hand. -->',
    '',
    `Measured ${context.at} on commit \`${context.commit}\`: Node ${machine.node}, ${machine.platform},`,
    `${machine.cpus}, ${machine.memoryGb} GB; load average ${machine.loadAverage.before} before and ${machine.loadAverage.after} after.`,
    `${held} of ${targeted} targets held. The same figures as JSON: [benchmarks.json](benchmarks.json).`,
    '',
    'Each figure is a median over several passes; each reference is measured in the same run, on',
    'the same disk, so read the ratios rather than the absolute times on a shared machine. A ratio',
    'is Lockstep over the reference (for throughput, the reference over Lockstep): below 1 is',
    'better. Each group of benchmarks runs in a process of its own after the disk is flushed.',
    '',
    row(['group', 'figure', 'Lockstep', 'reference (same run)', 'ratio', 'target', 'held']),
    row(['---', '---', '---:', '---', '---:', '---', '---']),
    ...figures.map((f) =>
      row([
        f.group,
        f.figure,
        value(f),
        f.reference
          ? `${f.reference.name}: ${value({ unit: f.unit, value: f.reference.value })}`
          : '',
        f.ratio === undefined ? '' : `${f.ratio}×`,
        f.target?.text ?? '',
        f.target === undefined ? '' : f.target.held ? 'yes' : '**no**',
      ]),
    ),
    '',
    '## Peak memory',
    '',
    row(['benchmark group (its own process)', 'peak resident memory']),
    row(['---', '---:']),
    ...Object.entries(context.peakRssMb).map(([group, mb]) => row([group, `${mb} MB`])),
    '',
  ];
  if (context.reliability) {
    out.push(
      '## Reliability',
      '',
      `The counts of the last \`npm run test:reliability\` on this machine${context.reliability.at ? ` (${context.reliability.at})` : ''}:`,
      '',
      row(['suite', 'counts']),
      row(['---', '---']),
      ...Object.entries(context.reliability.suites).map(([suite, counts]) =>
        row([suite, countsText(counts)]),
      ),
      '',
    );
  }
  out.push(
    '## Details',
    '',
    'Each benchmark’s own report from the same run: how it measures, and every sample size.',
    '',
  );
  for (const report of reports) out.push('```text', report, '```', '');
  return `${out.join('\n')}`;
}

/** A suite's counts: its own one-line summary when it gives one, else its fields. */
function countsText(counts: unknown): string {
  if (counts === null || typeof counts !== 'object') return String(counts);
  const { line } = counts as { line?: unknown };
  if (typeof line === 'string') return line;
  return Object.entries(counts as Record<string, unknown>)
    .map(
      ([name, count]) =>
        `${name} ${typeof count === 'object' ? JSON.stringify(count) : String(count)}`,
    )
    .join(', ');
}
