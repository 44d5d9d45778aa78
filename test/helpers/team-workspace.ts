/**
 * A workspace for the serve and worker tests: `work` published as v1 and v2, v1 on `production`,
 * whose first step calls a local HTTP server the test controls (how long it takes, or whether the
 * first call answers, and when), so a run can be caught mid-way. Each call is counted by its input.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { TestContext } from 'node:test';
import { assertExit, gitRepo, lockstep } from './cli-workspace.js';
import { json, startFakeServer } from './fake-http-server.js';

export interface WorkServer {
  readonly origin: string;
  /** The `who` of every call received, in order (held calls included). */
  readonly calls: string[];
  /** Calls being held open (hangFirst), by `who`. */
  readonly held: string[];
  /** Answers the held first call (hangFirst) now. */
  release(): void;
}

/**
 * Answers `/work?who=…` with `{ who }` after `delayMs`; with `hangFirst`, the very first call is
 * not answered until `release` (a dependency that hangs while its worker is killed or cut off),
 * nor ever without it.
 */
export async function startWorkServer(
  t: TestContext,
  options: { delayMs?: number; hangFirst?: boolean } = {},
): Promise<WorkServer> {
  const calls: string[] = [];
  const held: string[] = [];
  let release = (): void => undefined;
  const released = new Promise<void>((resolve) => (release = resolve));
  const server = await startFakeServer(t, {
    fallback: async (response, request) => {
      const who = new URL(request.path, 'http://x').searchParams.get('who') ?? '';
      calls.push(who);
      if (options.hangFirst && calls.length === 1) {
        held.push(who); // unless released, closed with the server unanswered
        await released;
      }
      await delay(options.delayMs ?? 0);
      json(200, { who })(response, request);
    },
  });
  return { origin: server.origin, calls, held, release: () => release() };
}

/** The `work` workflow calling `origin`; `greeting` tells versions apart. */
export function workWorkflow(origin: string, greeting: string): string {
  return `name: work
inputs:
  who: { type: string }
steps:
  - id: call
    http: { url: "${origin}/work?who=\${{ inputs.who }}" }
  - id: answer
    transform: \${{ "${greeting}, " & steps.call.output.body.who }}
outputs:
  text: \${{ steps.answer.output }}
`;
}

/**
 * A repository with work v1 ("Hello") on production and v2 ("Hi") published but not routed; `env`
 * chooses the store (LOCKSTEP_STORE) the CLI publishes to.
 */
export async function teamWorkspace(
  t: TestContext,
  origin: string,
  env: Record<string, string> = {},
): Promise<string> {
  const dir = gitRepo(t, {
    'work.workflow.yaml': workWorkflow(origin, 'Hello'),
    '.lockstep/config.yaml': '',
  });
  assertExit(await lockstep(dir, ['publish', 'work.workflow.yaml', '-m', 'v1'], env), 0);
  assertExit(await lockstep(dir, ['promote', 'work@1', '--channel', 'production'], env), 0);
  writeFileSync(path.join(dir, 'work.workflow.yaml'), workWorkflow(origin, 'Hi'));
  assertExit(await lockstep(dir, ['publish', 'work.workflow.yaml', '-m', 'v2'], env), 0);
  return dir;
}
