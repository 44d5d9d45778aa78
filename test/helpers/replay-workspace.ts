/**
 * Replay scenarios through the real CLI: temporary git repositories holding the examples as git
 * tracks them (workflows, fixtures, inputs, settings; never a local store), optionally pointed at
 * a fake OpenAI server and a fake CRM on 127.0.0.1 that answer the examples' calls by prompt.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { canonicalJson } from '../../core/src/hash/canonical.js';
import { openFsStore } from '../../core/src/node/store/fs-store.js';
import type { RunRecord, RunSummary } from '../../core/src/model/runs.js';
import type { CliResult } from './cli.js';
import { assertExit, gitRepo, lockstep, parseJson } from './cli-workspace.js';
import { json, startFakeServer, type FakeServer, type Reply } from './fake-http-server.js';
import { completion, startFakeOpenAi, type FakeOpenAi } from './fake-openai-server.js';
import { REPO_ROOT } from './paths.js';

export const EXAMPLES = path.join(REPO_ROOT, 'examples');

/** The secrets the examples read; a replay runs with all of them unset. */
export const SECRETS = { OPENAI_API_KEY: 'sk-live-5e1f0c2d9a', CRM_TOKEN: 'crm-token-77b1a3' };
export const NO_SECRETS: Record<string, undefined> = {
  OPENAI_API_KEY: undefined,
  CRM_TOKEN: undefined,
};

/** The examples' files (relative path → text) as git tracks them: no local store. */
export function exampleFiles(): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      const relative = path.relative(EXAMPLES, full).split(path.sep).join('/');
      if (entry.isDirectory()) {
        if (relative === '.lockstep/local') continue;
        walk(full);
      } else if (!relative.startsWith('.lockstep/') || relative === '.lockstep/config.yaml') {
        files[relative] = readFileSync(full, 'utf8');
      }
    }
  };
  walk(EXAMPLES);
  assert.ok(files['support-triage.workflow.yaml'] && files['fixtures.yaml'], 'examples found');
  return files;
}

/**
 * The examples' workflows calling `servers` instead of the model and CRM they name (and their
 * settings letting the CRM token go to the stand-in CRM).
 */
export function pointedAt(
  files: Record<string, string>,
  servers: ExampleServers,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(files)) {
    out[name] = name.endsWith('.workflow.yaml')
      ? text
          .replaceAll('http://127.0.0.1:11434/v1', servers.model.baseUrl)
          .replaceAll('https://crm.example.com', servers.crm.origin)
      : name === '.lockstep/config.yaml'
        ? text.replaceAll('crm.example.com', new URL(servers.crm.origin).hostname)
        : text;
  }
  return out;
}

/** A git repository holding the examples (changed by `change`), committed. */
export function examplesRepo(
  t: TestContext,
  change: (files: Record<string, string>) => Record<string, string> = (f) => f,
): string {
  return gitRepo(t, change(exampleFiles()));
}

export interface ExampleServers {
  readonly model: FakeOpenAi;
  readonly crm: FakeServer;
  /** Replies sent once each, before the normal answer, to the first request matching `match`. */
  readonly interpose: { match: RegExp; reply: Reply }[];
  /** Answers checked before the examples' ones (by the last user message). */
  readonly answers: { match: RegExp; content: string }[];
  /** Requests received by both servers so far. */
  requests(): number;
}

/** The last user message of a chat-completions request body. */
export function lastPrompt(body: unknown): string {
  const messages = (body as { messages?: { role: string; content: string }[] } | undefined)
    ?.messages;
  return [...(messages ?? [])].reverse().find((m) => m.role === 'user')?.content ?? '';
}

/**
 * A fake model that answers the examples' prompts (and `answers`), and a CRM that knows
 * customer c-42; both closed when the test ends.
 */
export async function startExampleServers(t: TestContext): Promise<ExampleServers> {
  const model = await startFakeOpenAi(t);
  const crm = await startFakeServer(t);
  const interpose: ExampleServers['interpose'] = [];
  const answers: ExampleServers['answers'] = [];
  const defaults: { match: RegExp; content: (prompt: string) => string }[] = [
    { match: /^Classify this ticket/, content: () => '{"category":"billing"}' },
    { match: /^One-line note on: /, content: (p) => `Note: ${p.slice(18, 48)}` },
    { match: /^Customer: /, content: () => 'Dear Ada, thank you for writing. We are on it.' },
    { match: /^Summarise in two sentences: /, content: (p) => `Summary of ${p.slice(28, 50)}.` },
    { match: /^Combine these summaries/, content: () => 'Lockstep versions and replays runs.' },
  ];
  model.route('POST', '/v1/chat/completions', (res, request) => {
    const prompt = lastPrompt(request.body);
    const once = interpose.findIndex((i) => i.match.test(prompt));
    if (once >= 0) return interpose.splice(once, 1)[0]!.reply(res, request);
    const answer =
      answers.find((a) => a.match.test(prompt))?.content ??
      defaults.find((d) => d.match.test(prompt))?.content(prompt) ??
      `Answer to: ${prompt.slice(0, 40)}`;
    return completion(answer, { usage: { prompt_tokens: prompt.length, completion_tokens: 7 } })(
      res,
      request,
    );
  });
  crm.route('GET', '/customers/c-42', json(200, { id: 'c-42', name: 'Ada', plan: 'pro' }));
  return {
    model,
    crm,
    interpose,
    answers,
    requests: () => model.requests.length + crm.requests.length,
  };
}

/** Runs the CLI, expects `code`, and parses stdout as JSON. */
export async function cliJson<T = Record<string, unknown>>(
  dir: string,
  args: readonly string[],
  env: Record<string, string | undefined> = {},
  code = 0,
): Promise<T> {
  const result = await lockstep(dir, [...args, '--json'], env);
  assertExit(result, code);
  return parseJson<T>(result);
}

/** `lockstep run … --json`: the run's id and outcome. */
export interface RunJson {
  readonly id: string;
  readonly status: string;
  readonly output: unknown;
}

/** What `lockstep replay --json` prints. */
export interface ReplayJson {
  readonly kind: 'exact' | 'against';
  readonly source: { readonly id: string; readonly status: string };
  readonly replay: { readonly id: string; readonly status: string; readonly output: unknown };
  readonly engine: { readonly recorded: string; readonly now: string };
  readonly verified?: boolean;
  readonly divergence?: {
    readonly path: string;
    readonly kind: string;
    readonly occurrence: number;
    readonly now: { readonly key: string; readonly request: unknown };
    readonly recorded?: { readonly path: string; readonly key: string; readonly request: unknown };
    readonly diff: string;
  };
  readonly comparison: ComparisonJson;
}

export interface ComparisonJson {
  readonly a: { readonly run: string; readonly status: string };
  readonly b: { readonly run: string; readonly status: string };
  readonly steps: readonly {
    readonly path: string;
    readonly change: string;
    readonly provenance?: string;
    readonly a?: { readonly status: string; readonly output: unknown };
    readonly b?: { readonly status: string; readonly output: unknown };
    readonly outputDiff?: { readonly kind: string; readonly [key: string]: unknown };
    readonly inputDiff?: { readonly kind: string; readonly [key: string]: unknown };
  }[];
  readonly firstDivergence?: string;
  readonly output: { readonly kind: string };
  readonly totals: {
    readonly a: { tokens: { input: number; output: number }; cost?: number; latencyMs?: number };
    readonly b: { tokens: { input: number; output: number }; cost?: number; latencyMs?: number };
  };
}

/** `lockstep inspect <id> --json`. */
export function inspectRun(dir: string, id: string): Promise<RunRecord> {
  return cliJson<RunRecord>(dir, ['inspect', id]);
}

/** `lockstep runs <workflow> --json`: the runs listed. */
export async function listRuns(dir: string, workflow: string): Promise<RunSummary[]> {
  return (await cliJson<{ runs: RunSummary[] }>(dir, ['runs', workflow])).runs;
}

/**
 * Asserts that `replay` reproduced `source`: the same steps with canonical-equal outputs and
 * statuses, and the same output, byte for byte in canonical JSON.
 */
export function assertReproduced(source: RunRecord, replay: RunRecord): void {
  const steps = (record: RunRecord): string[] =>
    record.steps.map((s) => `${s.path} ${s.status} ${canonicalJson(s.output)}`).sort();
  assert.ok(source.steps.length > 0, 'the source run has steps');
  assert.deepEqual(steps(replay), steps(source));
  assert.equal(canonicalJson(replay.output), canonicalJson(source.output));
  assert.equal(replay.status, source.status);
}

/** Runs read from a workspace's store in this process (quicker than more CLI processes). */
export async function readRuns(dir: string, ids: readonly string[]): Promise<RunRecord[]> {
  const store = await openFsStore(path.join(dir, '.lockstep'));
  try {
    return await Promise.all(
      ids.map(async (id) => {
        const record = await store.getRun(id);
        assert.ok(record, `no run ${id}`);
        return record;
      }),
    );
  } finally {
    await store.close();
  }
}

/** The comparison's steps as path → `change provenance`. */
export function stepChanges(comparison: ComparisonJson): Record<string, string> {
  return Object.fromEntries(
    comparison.steps.map((s) => [s.path, `${s.change}${s.provenance ? ` ${s.provenance}` : ''}`]),
  );
}

/** Formats a CLI result's output for assertion messages. */
export function shown(result: CliResult): string {
  return `exit ${result.code}\n${result.stdout}\n${result.stderr}`;
}
