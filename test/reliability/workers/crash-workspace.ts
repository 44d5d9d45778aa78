/**
 * The workspace the crash and concurrency suites work in: one workflow with a foreach, an HTTP
 * call and a model call (answered from fixtures, so runs are offline and replay exactly), and the
 * fixtures file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The workflow file runs execute (workflow `flow`). */
export const CRASH_WORKFLOW_FILE = 'flow.workflow.yaml';
/** The fixtures file answering its model and HTTP calls. */
export const CRASH_FIXTURES = 'fixtures.yaml';
/** The workflow workers publish distinct versions of (no file: drafts straight to the store). */
export const PUBLISHED_WORKFLOW = 'pub';

const WORKFLOW = `name: flow
inputs:
  n: { type: number }
models:
  fast:
    provider: openai
    model: gpt-4o-mini
    base_url: http://127.0.0.1:9/v1
steps:
  - id: items
    transform: \${{ [1..inputs.n] }}
  - id: each
    foreach: \${{ steps.items.output }}
    as: item
    concurrency: 3
    transform: \${{ item * 2 }}
  - id: look
    http: { url: "http://127.0.0.1:9/items/\${{ inputs.n }}" }
  - id: ask
    llm: { model: fast, prompt: "Sum \${{ $string(steps.each.output) }}" }
  - id: total
    transform: \${{ $sum(steps.each.output) }}
`;

const FIXTURES = `models:
  - step: ask
    answer: fine
http:
  - url: http://127.0.0.1:9/items/*
    body: { ok: true }
`;

/** Writes the workflow, its fixtures and an empty `.lockstep/` into `dir`. */
export function writeCrashWorkspace(dir: string): void {
  mkdirSync(path.join(dir, '.lockstep'), { recursive: true });
  writeFileSync(path.join(dir, CRASH_WORKFLOW_FILE), WORKFLOW);
  writeFileSync(path.join(dir, CRASH_FIXTURES), FIXTURES);
}
