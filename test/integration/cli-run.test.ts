// `lockstep run`, `runs` and `inspect` as users and CI pipelines call them: inputs from flags and
// files, scripted runs from fixtures, the JSON shapes, exit codes, and the errors for inputs,
// fixtures and runs that do not exist.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import {
  assertExit,
  assertNoStackTrace,
  assertOneLineError,
  gitRepo,
  lines,
  lockstep,
  parseJson,
} from '../helpers/cli-workspace.js';

const TYPED = `name: typed
inputs:
  text: { type: string, description: What to echo. }
  count: { type: integer, default: 1 }
  tags: { type: array, default: [] }
  flag: { type: boolean, default: false }
  meta: { type: object, default: {} }
steps:
  - id: echo
    transform: \${{ inputs }}
`;

/** Fails unless `inputs.fail` is true. */
const FLAKY = `name: flaky
inputs:
  fail: { type: boolean, default: false }
steps:
  - id: check
    transform: '\${{ inputs.fail ? $error("asked to fail") : "ok" }}'
`;

const TRIAGE = `name: triage
inputs:
  ticket: { type: string }
models:
  fast:
    provider: openai
    model: small-1
    base_url: http://127.0.0.1:9/v1
steps:
  - id: classify
    llm:
      model: fast
      prompt: "Classify: \${{ inputs.ticket }}"
      output: json
  - id: customer
    http: { url: https://crm.example.com/customers/c-42 }
outputs:
  category: \${{ steps.classify.output.category }}
  name: \${{ steps.customer.output.body.name }}
`;

const FIXTURES = `# Answers for triage.
models:
  - step: classify
    answer: { category: billing }
    usage: { input: 12, output: 3 }
http:
  - method: GET
    url: https://crm.example.com/customers/*
    body: { name: Ada }
`;

interface RunJson {
  id: string;
  status: string;
  output: unknown;
  version: { id: string; seq?: number };
  store: string;
  error?: { code: string; message: string };
}

interface InspectJson {
  header: {
    id: string;
    workflow: string;
    version: { id: string; seq?: number };
    mode: { kind: string; fixtures?: string; fixturesPath?: string };
    input: Record<string, unknown>;
  };
  status: string;
  output: unknown;
  steps: { path: string; status: string }[];
  effects: { path: string; kind: string; usage?: { input: number; output: number } }[];
}

interface RunsJson {
  workflow: string;
  runs: { id: string; status: string; version: { id: string; seq?: number }; mode: string }[];
}

async function runJson(repo: string, args: readonly string[], exit = 0): Promise<RunJson> {
  const result = await lockstep(repo, ['run', ...args, '--json']);
  assertExit(result, exit);
  return parseJson<RunJson>(result);
}

async function inspectJson(repo: string, id: string): Promise<InspectJson> {
  const result = await lockstep(repo, ['inspect', id, '--json']);
  assertExit(result, 0);
  return parseJson<InspectJson>(result);
}

async function runIds(repo: string, name: string, ...args: string[]): Promise<string[]> {
  const result = await lockstep(repo, ['runs', name, ...args, '--json']);
  assertExit(result, 0);
  return parseJson<RunsJson>(result).runs.map((r) => r.id);
}

describe('lockstep run: inputs', () => {
  test('--input is read by the declared type: text for strings, JSON for the rest', async (t) => {
    const repo = gitRepo(t, { 'typed.workflow.yaml': TYPED });
    const run = await runJson(repo, [
      'typed.workflow.yaml',
      '--input',
      'text=42',
      '-i',
      'count=3',
      '--input',
      'tags=["a", "b"]',
      '--input',
      'flag=true',
      '--input',
      'meta={"k": {"n": 1}}',
    ]);
    assert.equal(run.status, 'succeeded');
    assert.deepEqual(run.output, {
      text: '42',
      count: 3,
      tags: ['a', 'b'],
      flag: true,
      meta: { k: { n: 1 } },
    });
    const text = await runJson(repo, ['typed.workflow.yaml', '--input', 'text=a=b c']);
    assert.deepEqual(text.output, { text: 'a=b c', count: 1, tags: [], flag: false, meta: {} });
  });

  test('--input-file gives inputs as a JSON object; --input wins over it', async (t) => {
    const repo = gitRepo(t, {
      'typed.workflow.yaml': TYPED,
      'inputs.json': JSON.stringify({ text: 'from the file', count: 5, tags: ['x'] }),
    });
    const run = await runJson(repo, [
      'typed.workflow.yaml',
      '--input-file',
      'inputs.json',
      '--input',
      'count=7',
    ]);
    assert.deepEqual(run.output, {
      text: 'from the file',
      count: 7,
      tags: ['x'],
      flag: false,
      meta: {},
    });
    const inspected = await inspectJson(repo, run.id);
    assert.deepEqual(inspected.header.input, run.output, 'the run records its inputs');
  });

  test('inputs that do not fit exit 2 with one clear line, and nothing is recorded', async (t) => {
    const repo = gitRepo(t, {
      'typed.workflow.yaml': TYPED,
      'list.json': '["not", "an", "object"]',
      'broken.json': '{"text": ',
    });
    const cases: [string[], RegExp][] = [
      [
        ['--input', 'text=x', '--input', 'colour=red'],
        /^lockstep: typed: the inputs do not fit: 'colour' is not an input of this workflow \(inputs: text, count, tags, flag, meta\)$/,
      ],
      [
        [],
        /^lockstep: typed: the inputs do not fit: input 'text' is required \(a string: What to echo\.\)$/,
      ],
      [
        ['--input', 'text=x', '--input', 'count=three'],
        /^lockstep: --input count=three: 'count' is an integer; give it as JSON$/,
      ],
      [
        ['--input', 'text=x', '--input', 'count=2.5'],
        /^lockstep: typed: the inputs do not fit: input 'count' must be an integer, not 2\.5$/,
      ],
      [['--input', 'text'], /^lockstep: --input text: write --input name=value$/],
      [
        ['--input-file', 'list.json'],
        /^lockstep: --input-file list\.json: must hold a JSON object/,
      ],
      [['--input-file', 'broken.json'], /^lockstep: --input-file broken\.json: /],
      [['--input-file', 'absent.json'], /^lockstep: --input-file absent\.json: /],
    ];
    for (const [args, expected] of cases) {
      const result = await lockstep(repo, ['run', 'typed.workflow.yaml', ...args]);
      assert.match(assertOneLineError(result, 2), expected, args.join(' '));
    }
    const asJson = await lockstep(repo, ['run', 'typed.workflow.yaml', '--json']);
    assertExit(asJson, 2);
    assert.deepEqual(parseJson(asJson), {
      ok: false,
      error: {
        code: 'invalid-input',
        message: "typed: the inputs do not fit: input 'text' is required (a string: What to echo.)",
        problems: ["input 'text' is required (a string: What to echo.)"],
      },
    });
    assert.deepEqual(await runIds(repo, 'typed'), []);
  });
});

describe('lockstep run: fixtures, output and exit codes', () => {
  test('--fixtures answers model and HTTP calls; the run is scripted with the file’s sha256', async (t) => {
    const repo = gitRepo(t, { 'triage.workflow.yaml': TRIAGE, 'fixtures.yaml': FIXTURES });
    const run = await runJson(repo, [
      'triage.workflow.yaml',
      '--fixtures',
      'fixtures.yaml',
      '--input',
      'ticket=I was charged twice',
    ]);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(run.output, { category: 'billing', name: 'Ada' });
    const bytes = readFileSync(path.join(repo, 'fixtures.yaml'));
    const sha = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const record = await inspectJson(repo, run.id);
    assert.deepEqual(record.header.mode, {
      kind: 'scripted',
      fixtures: sha,
      fixturesPath: 'fixtures.yaml',
    });
    assert.deepEqual(
      record.effects.map((e) => [e.path, e.kind, e.usage]),
      [
        ['classify', 'llm', { input: 12, output: 3 }],
        ['customer', 'http', undefined],
      ],
    );
    const runs = await lockstep(repo, ['runs', 'triage', '--json']);
    assert.equal(parseJson<RunsJson>(runs).runs[0]?.mode, 'scripted');

    // A call no fixture answers is a step error, never a live call.
    writeFileSync(path.join(repo, 'partial.yaml'), 'models:\n  - answer: "{}"\n');
    const partial = await runJson(
      repo,
      ['triage.workflow.yaml', '--fixtures', 'partial.yaml', '--input', 'ticket=x'],
      1,
    );
    assert.equal(partial.status, 'failed');
    assert.equal(partial.error?.code, 'no-fixture');
    assert.match(
      partial.error?.message ?? '',
      /^customer: no fixture in partial\.yaml answers GET https:\/\/crm\.example\.com\/customers\/c-42/,
    );
  });

  test('a fixtures file with errors is reported by file and line, and nothing runs', async (t) => {
    const repo = gitRepo(t, {
      'triage.workflow.yaml': TRIAGE,
      'syntax.yaml': 'models:\n  - step: classify\n    answer: [unclosed\n',
      'unknown-key.yaml': 'models:\n  - step: classify\n    answr: hi\n',
    });
    const syntax = await lockstep(repo, [
      'run',
      'triage.workflow.yaml',
      '--fixtures',
      'syntax.yaml',
      '--input',
      'ticket=x',
    ]);
    assertExit(syntax, 2);
    assertNoStackTrace(syntax);
    const syntaxLines = lines(syntax.stderr);
    assert.match(syntaxLines[0] ?? '', /^syntax\.yaml:\d+:\d+: error yaml-syntax: /);
    assert.equal(
      syntaxLines.at(-1),
      'lockstep: syntax.yaml has errors (listed above); nothing was changed',
    );

    const unknown = await lockstep(repo, [
      'run',
      'triage.workflow.yaml',
      '--fixtures',
      'unknown-key.yaml',
      '--input',
      'ticket=x',
    ]);
    assertExit(unknown, 2);
    assert.match(
      unknown.stderr,
      /^unknown-key\.yaml:3:5: error unknown-key: models\[0\]\.answr: unknown key 'answr' \(did you mean 'answer'\?\)/m,
    );
    assert.deepEqual(await runIds(repo, 'triage'), []);

    // So is an invalid workflow file: the run could not start (2), it did not fail (1).
    writeFileSync(
      path.join(repo, 'broken.workflow.yaml'),
      'name: broken\nsteps:\n  - id: a\n    transfrom: 1\n',
    );
    const broken = await lockstep(repo, ['run', 'broken.workflow.yaml']);
    assertExit(broken, 2);
    assert.match(broken.stderr, /^broken\.workflow\.yaml:4:5: error /m);
  });

  test('--json prints the run; exit 0 when it succeeded, 1 when it failed', async (t) => {
    const repo = gitRepo(t, { 'flaky.workflow.yaml': FLAKY });
    const ok = await runJson(repo, ['flaky.workflow.yaml']);
    assert.deepEqual(Object.keys(ok).sort(), ['id', 'output', 'status', 'store', 'version']);
    assert.match(ok.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    assert.equal(ok.status, 'succeeded');
    assert.equal(ok.output, 'ok');
    assert.match(ok.version.id, /^sha256:[0-9a-f]{64}$/);
    assert.equal(ok.version.seq, undefined, 'a snapshot has no seq');
    assert.equal(ok.store, path.join(repo, '.lockstep'));

    const failed = await runJson(repo, ['flaky.workflow.yaml', '--input', 'fail=true'], 1);
    assert.equal(failed.status, 'failed');
    assert.equal(failed.output, null);
    assert.equal(failed.error?.code, 'expression');
    assert.match(failed.error?.message ?? '', /asked to fail/);
    assert.equal(failed.version.id, ok.version.id);

    assertExit(await lockstep(repo, ['publish', 'flaky.workflow.yaml', '-m', 'First']), 0);
    const published = await runJson(repo, ['flaky@1']);
    assert.deepEqual(published.version, { id: ok.version.id, seq: 1 });

    const human = await lockstep(repo, ['run', 'flaky@1', '--input', 'fail=true']);
    assertExit(human, 1);
    const out = lines(human.stdout);
    assert.match(out[0] ?? '', /^Run [0-9a-f-]{36}$/);
    assert.match(out[1] ?? '', /^ {2}workflow {2}flaky v1 \(sha256:[0-9a-f]{12}\)$/);
    assert.equal(out[2], '  status    failed');
    assert.match(out[3] ?? '', /^ {2}error {5}steps\.check\.transform: .*asked to fail/);
    assert.match(human.stdout, /recorded {2}in \.lockstep \(lockstep inspect [0-9a-f-]{36}\)/);
  });
});

describe('lockstep runs and inspect', () => {
  /** A repository with three runs of `flaky`: v1 succeeded, v1 failed, a later snapshot. */
  async function history(t: Parameters<typeof gitRepo>[0]): Promise<{
    repo: string;
    v1: string;
    snapshot: string;
    ids: { ok: string; failed: string; later: string };
  }> {
    const repo = gitRepo(t, { 'flaky.workflow.yaml': FLAKY });
    assertExit(await lockstep(repo, ['publish', 'flaky.workflow.yaml', '-m', 'First']), 0);
    const ok = await runJson(repo, ['flaky@1']);
    const failed = await runJson(repo, ['flaky@v1', '--input', 'fail=true'], 1);
    writeFileSync(path.join(repo, 'flaky.workflow.yaml'), FLAKY.replace('"ok"', '"fine"'));
    const later = await runJson(repo, ['flaky.workflow.yaml']);
    assert.notEqual(later.version.id, ok.version.id);
    return {
      repo,
      v1: ok.version.id,
      snapshot: later.version.id,
      ids: { ok: ok.id, failed: failed.id, later: later.id },
    };
  }

  test('over one history of three runs', async (t) => {
    const { repo, v1, snapshot, ids } = await history(t);

    await t.test(
      'runs lists newest first, filtered by --status, --version and --limit',
      async () => {
        const all = await lockstep(repo, ['runs', 'flaky', '--json']);
        assertExit(all, 0);
        const listed = parseJson<RunsJson>(all);
        assert.equal(listed.workflow, 'flaky');
        assert.deepEqual(
          listed.runs.map((r) => [r.id, r.status, r.version, r.mode]),
          [
            [ids.later, 'succeeded', { id: snapshot }, 'live'],
            [ids.failed, 'failed', { id: v1, seq: 1 }, 'live'],
            [ids.ok, 'succeeded', { id: v1, seq: 1 }, 'live'],
          ],
        );
        assert.deepEqual(await runIds(repo, 'flaky', '--status', 'failed'), [ids.failed]);
        assert.deepEqual(await runIds(repo, 'flaky', '--status', 'succeeded'), [ids.later, ids.ok]);
        assert.deepEqual(await runIds(repo, 'flaky', '--status', 'running'), []);
        assert.deepEqual(await runIds(repo, 'flaky', '--limit', '2'), [ids.later, ids.failed]);
        assert.deepEqual(await runIds(repo, 'flaky', '--version', '1'), [ids.failed, ids.ok]);
        assert.deepEqual(await runIds(repo, 'flaky', '--version', snapshot.slice(0, 19)), [
          ids.later,
        ]);
        assert.deepEqual(
          await runIds(repo, 'flaky', '--version', '1', '--status', 'succeeded', '--limit', '5'),
          [ids.ok],
        );

        const human = await lockstep(repo, ['runs', 'flaky']);
        assertExit(human, 0);
        const rows = lines(human.stdout);
        assert.equal(rows.length, 3);
        assert.match(
          rows[0] ?? '',
          new RegExp(
            `^${ids.later}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d  sha256:[0-9a-f]{12} +succeeded +live +\\d+ ms$`,
          ),
        );
        assert.match(rows[1] ?? '', new RegExp(`^${ids.failed} .* v1 +failed +live`));

        const none = await lockstep(repo, ['runs', 'flaky', '--status', 'cancelled']);
        assertExit(none, 0);
        assert.match(none.stdout, /^No runs of flaky with status cancelled in /);
        assert.match(
          assertOneLineError(await lockstep(repo, ['runs', 'flaky', '--status', 'done'])),
          /--status done: use one of running, succeeded, failed, cancelled, interrupted/,
        );
        assert.match(
          assertOneLineError(await lockstep(repo, ['runs', 'flaky', '--limit', '0'])),
          /--limit 0: give a positive whole number/,
        );
      },
    );

    await t.test(
      'inspect finds a run by its id or a unique prefix; unknown runs exit 2',
      async () => {
        const full = await lockstep(repo, ['inspect', ids.failed]);
        assertExit(full, 0);
        assert.match(full.stdout, new RegExp(`^Run ${ids.failed}\n`));
        assert.match(full.stdout, /^ {2}workflow {3}flaky$/m);
        assert.match(full.stdout, new RegExp(`^ {2}version {4}${v1} \\(v1\\)`, 'm'));
        assert.match(full.stdout, /^ {2}status {5}failed: steps\.check\.transform: /m);
        assert.match(full.stdout, /^ {2}mode {7}live$/m);
        assert.match(full.stdout, /^Steps:\n {2}check +failed +\d+ ms/m);

        const record = await inspectJson(repo, ids.failed);
        assert.equal(record.header.id, ids.failed);
        assert.deepEqual(record.header.version, { id: v1, seq: 1 });
        assert.deepEqual(record.header.input, { fail: true });
        assert.equal(record.status, 'failed');

        // The shortest prefix (8 characters or more) that names only this run.
        const all = Object.values(ids);
        const unique = (id: string): string => {
          for (let n = 8; ; n++) {
            const prefix = id.slice(0, n);
            if (all.filter((other) => other.startsWith(prefix)).length === 1) return prefix;
          }
        };
        for (const id of all) {
          assert.equal((await inspectJson(repo, unique(id))).header.id, id, unique(id));
        }
        const eight = ids.ok.slice(0, 8);
        const sharing = all.filter((id) => id.startsWith(eight)).length;
        const byEight = await lockstep(repo, ['inspect', eight, '--json']);
        if (sharing > 1) {
          assert.match(
            assertOneLineError(await lockstep(repo, ['inspect', eight])),
            new RegExp(`^lockstep: '${eight}' matches ${sharing} runs; give more characters$`),
          );
        } else {
          assertExit(byEight, 0);
          assert.equal(parseJson<InspectJson>(byEight).header.id, ids.ok);
        }

        assert.match(
          assertOneLineError(await lockstep(repo, ['inspect', ids.ok.slice(0, 7)])),
          /^lockstep: '[0-9a-f]{7}': give a run id, or at least its first 8 characters$/,
        );
        const missing = '00000000-0000-7000-8000-000000000000';
        assert.match(
          assertOneLineError(await lockstep(repo, ['inspect', missing])),
          new RegExp(`^lockstep: no run ${missing} in .*lockstep runs <workflow>`),
        );
        assert.match(
          assertOneLineError(await lockstep(repo, ['inspect', 'not-a-run-id'])),
          /^lockstep: 'not-a-run-id' is not a run id or the start of one/,
        );
        const asJson = await lockstep(repo, ['inspect', missing, '--json']);
        assertExit(asJson, 2);
        assert.equal(parseJson<{ error: { code: string } }>(asJson).error.code, 'unknown-run');
      },
    );
  });
});
