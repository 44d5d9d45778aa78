/**
 * Provider-fault suite: runs whose model (a loopback OpenAI-compatible server, lib/faulty-model.ts)
 * stalls, never answers, drops the connection, cuts a stream short, answers 429 with Retry-After
 * (1 s, or an hour: past what a client waits), 500, 503 or garbage, at random (seeded), on plain
 * and streamed calls, several runs at once. Each run must end with a clear status within its
 * timeouts: a model `timeout` of 2 s per attempt, at most 3 attempts (the transport's 2 retries),
 * so 6 s of attempts plus the waits between them. Checked per run:
 *
 * - it ends (a 30 s hang detector never fires) within that bound, recorded with the status it
 *   returned; a failure carries an error code and a one-line message (no stack trace);
 * - it succeeded exactly when the last answer it got was a good one;
 * - at most 3 requests; after a 429 with `Retry-After: 1` the next try came ≥ 1 s later, and a
 *   429 asking for an hour was not retried at all.
 *
 * `LOCKSTEP_RELIABILITY_PROVIDER_RUNS` (default 100) sets the number of runs.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Lockstep } from '../../core/src/index.js';
import { envNumber, Prng, suiteSeed } from './lib/prng.js';
import { RETRY_AFTER_S, startFaultyModel, type FaultyRequest } from './lib/faulty-model.js';
import { recordResult } from './lib/results.js';
import { suiteDir } from './lib/suite-dir.js';

const TIMEOUT_S = 2;
const ATTEMPTS = 3;
/** Attempts, the longest waits between them (Retry-After 1 s, or backoff 0.5 s then 1 s), slack. */
const BOUND_MS = (ATTEMPTS * TIMEOUT_S + 2 * RETRY_AFTER_S + 4) * 1000;
const HANG_MS = 30_000;
const CONCURRENCY = 6;

const workflow = (baseUrl: string): string => `name: faulty
inputs:
  id: { type: string }
  streamed: { type: boolean }
models:
  plain:
    provider: openai
    model: gpt-4o-mini
    base_url: ${baseUrl}
    timeout: ${TIMEOUT_S}s
  streamed:
    provider: openai
    model: gpt-4o-mini
    base_url: ${baseUrl}
    timeout: ${TIMEOUT_S}s
    stream: true
steps:
  - id: plain
    when: \${{ $not(inputs.streamed) }}
    llm: { model: plain, prompt: "run \${{ inputs.id }}" }
  - id: streamed
    when: \${{ inputs.streamed }}
    llm: { model: streamed, prompt: "run \${{ inputs.id }}" }
`;

test(
  'provider faults: every run ends with a clear status within its timeouts',
  { timeout: 600_000 },
  async (t) => {
    const started = Date.now();
    const seed = suiteSeed();
    const random = new Prng(seed);
    const total = envNumber('LOCKSTEP_RELIABILITY_PROVIDER_RUNS', 100);
    console.log(
      `provider: seed ${seed} (LOCKSTEP_RELIABILITY_SEED=${seed} repeats it), ${total} runs`,
    );
    const server = await startFaultyModel(random.fork());
    t.after(() => server.close());
    const dir = suiteDir(t, 'lockstep-provider-');
    writeFileSync(path.join(dir, 'faulty.workflow.yaml'), workflow(server.baseUrl));
    const lockstep = await Lockstep.open(dir);
    t.after(() => lockstep.close());

    const findings = {
      hangs: 0,
      overTime: 0,
      exceptions: 0,
      unclearErrors: 0,
      wrongStatus: 0,
      recordMismatch: 0,
      attemptsOverLimit: 0,
      retryAfterIgnored: 0,
      longRetryAfterWaited: 0,
    };
    const problems: string[] = [];
    const statuses: Record<string, number> = {};
    let next = 0;

    const one = async (n: number): Promise<void> => {
      const id = `r${n}`;
      const streamed = random.chance(0.5);
      const begun = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<'hang'>(
        (resolve) => (timer = setTimeout(() => resolve('hang'), HANG_MS)),
      );
      let outcome: Awaited<ReturnType<Lockstep['run']>> | 'hang';
      try {
        outcome = await Promise.race([
          lockstep.run(path.join(dir, 'faulty.workflow.yaml'), { input: { id, streamed } }),
          hang,
        ]);
      } catch (error) {
        findings.exceptions++;
        problems.push(`${id}: threw ${error instanceof Error ? error.stack : String(error)}`);
        return;
      } finally {
        clearTimeout(timer);
      }
      const took = performance.now() - begun;
      if (outcome === 'hang') {
        findings.hangs++;
        problems.push(`${id}: no end after ${HANG_MS} ms`);
        return;
      }
      const mine = server.requests.filter((r) => r.prompt === `run ${id}`);
      const error = outcome.error;
      const code = error?.code ?? '';
      statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
      const faults = mine.map((r) => r.fault).join(' → ');
      if (took > BOUND_MS) {
        findings.overTime++;
        problems.push(`${id}: took ${Math.round(took)} ms (${faults})`);
      }
      if (
        outcome.status === 'failed' &&
        (!error ||
          !/^[a-z-]+$/.test(code) ||
          !error.message ||
          /\n\s+at |undefined|\[object/.test(error.message))
      ) {
        findings.unclearErrors++;
        problems.push(`${id}: unclear error ${JSON.stringify(error)}`);
      }
      const last = mine.at(-1)?.fault;
      if ((outcome.status === 'succeeded') !== (last === 'ok')) {
        findings.wrongStatus++;
        problems.push(
          `${id}: ${outcome.status} after ${faults} (${code}: ${error?.message ?? ''})`,
        );
      }
      const record = await lockstep.inspect(outcome.id);
      if (record?.status !== outcome.status) findings.recordMismatch++;
      if (mine.length > ATTEMPTS) {
        findings.attemptsOverLimit++;
        problems.push(`${id}: ${mine.length} requests (${faults})`);
      }
      for (const [i, request] of mine.entries()) {
        const then: FaultyRequest | undefined = mine[i + 1];
        if (!then) continue;
        if (request.fault === 'rate-limit' && then.at - request.at < RETRY_AFTER_S * 1000 - 50) {
          findings.retryAfterIgnored++;
          problems.push(
            `${id}: retried ${Math.round(then.at - request.at)} ms after Retry-After: ${RETRY_AFTER_S}`,
          );
        }
        if (request.fault === 'rate-limit-long') {
          findings.longRetryAfterWaited++;
          problems.push(`${id}: retried after a Retry-After past the limit`);
        }
      }
    };
    const lane = async (): Promise<void> => {
      while (next < total) await one(next++);
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, lane));

    const counts = {
      runs: total,
      requests: server.requests.length,
      succeeded: statuses['succeeded'] ?? 0,
      failed: statuses['failed'] ?? 0,
      ...findings,
    };
    recordResult('provider', {
      ok: Object.values(findings).every((n) => n === 0),
      seed,
      counts,
      notes: [
        `faults served: ${Object.entries(
          server.requests.reduce<Record<string, number>>(
            (acc, r) => ({ ...acc, [r.fault]: (acc[r.fault] ?? 0) + 1 }),
            {},
          ),
        )
          .map(([fault, n]) => `${fault} ${n}`)
          .join(', ')}`,
      ],
      durationMs: Date.now() - started,
    });
    assert.deepEqual(problems, []);
  },
);
