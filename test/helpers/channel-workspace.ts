/**
 * A workspace for channel tests: a git repository with `greet` published as v1 and v2 (v2's
 * answer differs, and with `failing` v2 fails every run), and helpers to read its channel.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { assertExit, gitRepo, lockstep, parseJson } from './cli-workspace.js';

/** `greet` v1: answers "Hello, <who>". */
export const GREET_V1 = `name: greet
inputs:
  who: { type: string }
steps:
  - id: hello
    transform: \${{ "Hello, " & inputs.who }}
`;

/** v2 answers "Hi, <who>"; the failing v2 raises an expression error in every run. */
export const GREET_V2 = GREET_V1.replace('"Hello, "', '"Hi, "');
export const GREET_V2_FAILING = GREET_V1.replace(
  '"Hello, " & inputs.who',
  '$error("v2 is broken for " & inputs.who)',
);

/** A repository with greet v1 and v2 published; returns its folder. */
export async function channelWorkspace(
  t: TestContext,
  options: { failingV2?: boolean } = {},
): Promise<string> {
  const dir = gitRepo(t, { 'greet.workflow.yaml': GREET_V1, '.lockstep/config.yaml': '' });
  assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'v1']), 0);
  writeFileSync(
    path.join(dir, 'greet.workflow.yaml'),
    options.failingV2 ? GREET_V2_FAILING : GREET_V2,
  );
  assertExit(await lockstep(dir, ['publish', 'greet.workflow.yaml', '-m', 'v2']), 0);
  return dir;
}

/** A channel as `lockstep channels --json` reports it. */
export interface ReportedChannel {
  readonly channel: string;
  readonly revision: number;
  readonly targets: {
    stable: { seq: number };
    candidate?: { seq: number; weight: number };
  } | null;
  readonly history: readonly {
    action: string;
    revision: number;
    rollsBack?: number;
    trigger?: { metric: string; value: number; runs: number };
  }[];
}

/** The channel `name` of greet, as the CLI reports it. */
export async function readChannel(
  dir: string,
  name = 'production',
): Promise<ReportedChannel | undefined> {
  const result = await lockstep(dir, ['channels', 'greet', '--json']);
  assertExit(result, 0);
  const { channels } = parseJson<{ channels: ReportedChannel[] }>(result);
  return channels.find((c) => c.channel === name);
}

/** Runs `lockstep <args>` and asserts it succeeded. */
export async function ok(dir: string, args: readonly string[]): Promise<string> {
  const result = await lockstep(dir, args);
  assertExit(result, 0);
  return result.stdout;
}

/** The seq a routed `lockstep run --json` ran, and its routing decision. */
export async function runRouted(
  dir: string,
  who: string,
): Promise<{ seq: number; target: string; bucket: number; sticky: boolean; status: string }> {
  const result = await lockstep(dir, ['run', 'greet@production', '-i', `who=${who}`, '--json']);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  const run = parseJson<{
    status: string;
    version: { seq: number };
    routing: { target: string; bucket: number; sticky: boolean };
  }>(result);
  return { seq: run.version.seq, status: run.status, ...run.routing };
}
