/**
 * Validation latency of the language server: the time from a `didChange` (one keystroke in a
 * prompt) to the `publishDiagnostics` for it, over stdio, for a 50-step and a 500-step workflow,
 * side by side with yaml-language-server 1.19 validating the same file against the same JSON
 * Schema (core/src/format/workflow.schema.json, associated through its `yaml.schemas` setting).
 *
 * - As felt: each server with its default settings (yaml-language-server waits 200 ms after the
 *   last change; Lockstep validates at once when idle).
 * - As compute: yaml-language-server's debounce at 0 (see yaml-ls-no-debounce.ts). Lockstep has
 *   no debounce, so its felt and compute times are the same measurement; it also runs its
 *   semantic checks (expressions, references, secrets, the workspace's names).
 * - Memory: the resident size of each server process after its runs.
 *
 * Facts are reported, never asserted: the targets are printed with whether they were met.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { StdioLspClient } from './lsp-stdio-client.js';
import { ms, summarize, table, type Summary } from './stats.js';
import { requireReference } from './references.js';

export interface LanguageServerBenchOptions {
  readonly sizes: readonly number[];
  /** Timed edits per server and size (the median is reported). */
  readonly edits: number;
  /** Untimed edits first (JIT, caches). */
  readonly warmup: number;
}

export const DEFAULT_LANGUAGE_SERVER_OPTIONS: LanguageServerBenchOptions = {
  sizes: [50, 500],
  edits: 25,
  warmup: 5,
};

/** Felt-latency targets for Lockstep, by step count (ms). */
const FELT_TARGETS: Record<number, number> = { 50: 30, 100: 50, 500: 100 };
const DEADLINE_MS = 30_000;

type ServerName = 'lockstep' | 'yamlDefault' | 'yamlNoDebounce';

export interface SizeMeasurement {
  readonly steps: number;
  readonly lines: number;
  readonly latency: Summary;
  /** Resident memory of the server process after this size's edits (MB; Linux only). */
  readonly rssMb: number | undefined;
  /** Diagnostics for the valid file (expected: none) and for a file with an unknown key. */
  readonly diagnosticsValid: number;
  readonly diagnosticsWithUnknownKey: number;
}

export interface LanguageServerBenchResult {
  readonly options: LanguageServerBenchOptions;
  readonly servers: Record<ServerName, SizeMeasurement[]>;
  readonly report: string;
}

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '../../..');
const require = requireReference;

/** Runs the benchmark; `progress` reports each phase. */
export async function runLanguageServerBench(
  options: LanguageServerBenchOptions = DEFAULT_LANGUAGE_SERVER_OPTIONS,
  progress: (line: string) => void = () => {},
): Promise<LanguageServerBenchResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lockstep-bench-lsp-'));
  try {
    // A workspace root of its own (so Lockstep reads only these files) with no settings.
    mkdirSync(path.join(dir, '.lockstep'));
    const schemaUri = pathToFileURL(
      path.join(repoRoot, 'core/src/format/workflow.schema.json'),
    ).href;
    const yamlSettings = {
      validate: true,
      hover: false,
      completion: false,
      schemas: { [schemaUri]: ['*.workflow.yaml'] },
      // Offline: no schema catalogue download (it would not validate these files anyway).
      schemaStore: { enable: false },
    };
    const servers: Record<ServerName, readonly string[]> = {
      lockstep: [path.join(repoRoot, 'dist/server.js'), '--stdio'],
      yamlDefault: [require.resolve('yaml-language-server/bin/yaml-language-server'), '--stdio'],
      yamlNoDebounce: [path.join(here, 'yaml-ls-no-debounce.js'), '--stdio'],
    };
    const results = {} as Record<ServerName, SizeMeasurement[]>;
    for (const [name, args] of Object.entries(servers) as [ServerName, readonly string[]][]) {
      const client = new StdioLspClient(args, (section) =>
        section === 'yaml' ? yamlSettings : {},
      );
      try {
        await client.initialize(
          pathToFileURL(dir).href,
          name === 'lockstep' ? undefined : { yaml: yamlSettings },
        );
        results[name] = [];
        for (const steps of options.sizes) {
          progress(`language server: ${name}, ${steps} steps`);
          results[name].push(await measure(client, dir, steps, options));
        }
      } finally {
        await client.stop();
      }
    }
    return { options, servers: results, report: report(results, options) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function measure(
  client: StdioLspClient,
  dir: string,
  steps: number,
  options: LanguageServerBenchOptions,
): Promise<SizeMeasurement> {
  const text = workflowText(steps);
  const file = path.join(dir, `bench-${steps}.workflow.yaml`);
  writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  await client.open(uri, text, DEADLINE_MS);
  // Each edit types or deletes one character in the middle step's prompt, so the file stays
  // valid and both servers re-validate all of it.
  const lines = text.split('\n');
  const middle = 3 * Math.floor(steps / 6); // an llm step (every third step is one)
  const line = lines.findIndex((l) => l.includes(`Summarise item ${middle} `));
  const column = lines[line]!.indexOf('item');
  let typed = false;
  const keystroke = (): { range: unknown; text: string } => {
    typed = !typed;
    const start = { line, character: column };
    return typed
      ? { range: { start, end: start }, text: 'x' }
      : { range: { start, end: { line, character: column + 1 } }, text: '' };
  };
  const samples: number[] = [];
  let diagnosticsValid = 0;
  for (let i = 0; i < options.warmup + options.edits; i++) {
    const { ms: taken, params } = await client.edit(uri, keystroke(), DEADLINE_MS);
    diagnosticsValid = params.diagnostics.length;
    if (i >= options.warmup) samples.push(taken);
  }
  // Proof that the schema is applied: a key the schema does not allow must be reported.
  const { params: broken } = await client.edit(
    uri,
    {
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      text: 'bogus_key: 1\n',
    },
    DEADLINE_MS,
  );
  const rssMb = client.rssMb();
  await client.close(uri);
  return {
    steps,
    lines: lines.length,
    latency: summarize(samples),
    rssMb,
    diagnosticsValid,
    diagnosticsWithUnknownKey: broken.diagnostics.length,
  };
}

/** A workflow of `steps` steps mixing models calls, HTTP calls and transforms with expressions. */
export function workflowText(steps: number): string {
  const lines = [
    `name: bench-${steps}`,
    'description: A long workflow for the language-server benchmark.',
    'inputs:',
    '  ticket: { type: string, description: The ticket text. }',
    '  customer_id: { type: string }',
    'models:',
    '  fast:',
    '    provider: openai',
    '    model: gpt-4o-mini',
    '    api_key: ${{ secrets.OPENAI_API_KEY }}',
    'steps:',
  ];
  for (let i = 0; i < steps; i++) {
    const previous = i === 0 ? 'inputs.ticket' : `steps.s${i - 1}.output`;
    switch (i % 3) {
      case 0:
        lines.push(
          `  - id: s${i}`,
          '    llm:',
          '      model: fast',
          '      prompt: |',
          `        Summarise item ${i} for the support team.`,
          `        Ticket: \${{ inputs.ticket }}`,
          `        Context: \${{ ${previous} }}`,
        );
        break;
      case 1:
        lines.push(
          `  - id: s${i}`,
          '    http:',
          '      method: GET',
          `      url: https://crm.example.com/customers/\${{ inputs.customer_id }}/notes/${i}`,
          '      headers: { authorization: "Bearer ${{ secrets.CRM_TOKEN }}" }',
          '    retry: { max: 2, backoff: exponential }',
        );
        break;
      default:
        lines.push(`  - id: s${i}`, `    transform: \${{ $string(${previous}) & " (item ${i})" }}`);
    }
  }
  lines.push('outputs:', `  result: \${{ steps.s${steps - 1}.output }}`);
  return `${lines.join('\n')}\n`;
}

function report(
  results: Record<ServerName, SizeMeasurement[]>,
  options: LanguageServerBenchOptions,
): string {
  const row = (name: ServerName, steps: number): SizeMeasurement =>
    results[name].find((m) => m.steps === steps)!;
  const cell = (m: SizeMeasurement): string =>
    `${ms(m.latency.median)} ms (p95 ${ms(m.latency.p95)})`;
  const felt = table(
    ['steps', 'lines', 'Lockstep', 'yaml-language-server', 'Lockstep target', 'met'],
    options.sizes.map((steps) => {
      const ours = row('lockstep', steps);
      const target = FELT_TARGETS[steps];
      return [
        String(steps),
        String(ours.lines),
        cell(ours),
        cell(row('yamlDefault', steps)),
        target === undefined ? '-' : `≤ ${target} ms`,
        target === undefined ? '-' : ours.latency.median <= target ? 'yes' : 'no',
      ];
    }),
  );
  const compute = table(
    [
      'steps',
      'Lockstep',
      'yaml-language-server (0 ms debounce)',
      'Lockstep / yaml-ls',
      'target ≤ 1.00×',
      'met',
    ],
    options.sizes.map((steps) => {
      const ours = row('lockstep', steps).latency.median;
      const theirs = row('yamlNoDebounce', steps).latency.median;
      return [
        String(steps),
        cell(row('lockstep', steps)),
        cell(row('yamlNoDebounce', steps)),
        `${(ours / theirs).toFixed(2)}×`,
        '≤ 1.00×',
        ours <= theirs ? 'yes' : 'no',
      ];
    }),
  );
  const memory = table(
    ['server', ...options.sizes.map((s) => `RSS after ${s} steps`)],
    (
      [
        ['Lockstep (dist/server.js)', 'lockstep'],
        ['yaml-language-server, default', 'yamlDefault'],
        ['yaml-language-server, 0 ms debounce', 'yamlNoDebounce'],
      ] as const
    ).map(([label, name]) => [
      label,
      ...results[name].map((m) => (m.rssMb === undefined ? 'n/a' : `${m.rssMb.toFixed(1)} MB`)),
    ]),
  );
  const checks = (Object.keys(results) as ServerName[])
    .map(
      (name) =>
        `${name}: ${results[name].map((m) => `${m.steps} steps ${m.diagnosticsValid} on the valid file, ${m.diagnosticsWithUnknownKey} with an unknown key`).join('; ')}`,
    )
    .join('\n  ');
  return [
    `Language server: didChange → publishDiagnostics over stdio, one keystroke in a prompt (median of ${options.edits} edits after ${options.warmup} warm-up, p95 in brackets)`,
    '',
    'As felt (each server with its default settings; yaml-language-server debounces 200 ms):',
    felt,
    '',
    'As compute (yaml-language-server with its debounce at 0 ms; Lockstep has none, same runs as above,',
    'and also checks expressions, step/input/model references, secrets and workspace names):',
    compute,
    '',
    'Memory of each server process (resident set size, after its edits of that size):',
    memory,
    '',
    'Diagnostics published (sanity: both servers validate against the schema):',
    `  ${checks}`,
    'yaml-language-server 1.19.2 has no setting or initialization option for its debounce: validationDelayMs',
    'is fixed at 200 in SettingsState (out/server/src/yamlSettings.js); the compute run sets it to 0 through',
    'test/bench/yaml-ls-no-debounce.ts. Its schema store is disabled (offline); schema: workflow.schema.json.',
  ].join('\n');
}
