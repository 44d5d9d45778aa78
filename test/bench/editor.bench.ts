/**
 * The editor's figures: how long the extension's `activate()` takes (target ≤ 50 ms) and the
 * workspace service's memory, as measured in the real editor by `npm run test:e2e` (which writes
 * out/bench/editor.json). The benchmark reports them; it cannot start an editor itself.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface EditorBenchResult {
  readonly measuredAt: string | null;
  /** Each activation the e2e run logged, ms. */
  readonly activationMs: readonly number[];
  readonly serviceRssBytes: number | null;
  readonly report: string;
}

/** Reads what the last `npm run test:e2e` measured. */
export function readEditorBench(repoRoot: string): EditorBenchResult {
  const file = path.join(repoRoot, 'out/bench/editor.json');
  let figures: { at: string; activationMs: number[]; serviceRssBytes: number | null };
  try {
    figures = JSON.parse(readFileSync(file, 'utf8')) as typeof figures;
  } catch {
    return {
      measuredAt: null,
      activationMs: [],
      serviceRssBytes: null,
      report:
        'Editor: no figures yet — `npm run test:e2e` measures activation and the service’s memory in a real VS Code.',
    };
  }
  const activation = figures.activationMs.map((ms) => `${ms.toFixed(1)} ms`).join(', ');
  const rss =
    figures.serviceRssBytes === null
      ? 'unknown'
      : `${(figures.serviceRssBytes / 1024 ** 2).toFixed(0)} MB`;
  return {
    measuredAt: figures.at,
    activationMs: figures.activationMs,
    serviceRssBytes: figures.serviceRssBytes,
    report: [
      `Editor (measured by npm run test:e2e at ${figures.at}, code-server 4.100.3):`,
      `  activation ${activation} (target ≤ 50 ms); workspace service resident memory ${rss}`,
    ].join('\n'),
  };
}
