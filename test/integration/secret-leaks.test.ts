// Secrets never reach the store or the CLI's output, and never go where they may not. Known,
// unique secret values (with characters that JSON, URLs and base64 each write differently) are
// routed through every place a secret may be put, through child runs, foreach iterations, retries,
// failures and their error messages, against a local server that sends back everything it gets.
// Then every byte under .lockstep/ and everything the CLI printed (run, inspect, runs, replay) is
// searched for every secret in every form. Each forbidden flow is refused: by validation, and at
// run time for what skipped it; a secret bound to hosts never leaves for another one.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { assertExit, gitRepo, lockstep, parseJson } from '../helpers/cli-workspace.js';
import { startTestServer, type TestServer } from '../helpers/engine-http-server.js';

/** A value that occurs nowhere by chance, with `extra` characters in its middle. */
function unique(label: string, extra = ''): string {
  return `${label}-${randomBytes(12).toString('hex')}${extra}${randomBytes(6).toString('hex')}`;
}

/** The secrets, listed in the workspace's config (hosts as noted). */
const SECRETS = {
  MODEL_KEY: unique('model-key'),
  BEARER: unique('bearer'),
  HEADER_KEY: unique('header'),
  // Characters a URL encodes, so its encoded forms differ from the value.
  QUERY_KEY: unique('query', '+/=:?& '),
  PATH_KEY: unique('path'),
  // Characters JSON escapes, and some it does not.
  BODY_KEY: unique('body', '"\\\t–é'),
  BASIC_PASSWORD: unique('basic', ':+/'),
  SHELL_TOKEN: unique('shell'),
  CHILD_KEY: unique('child'),
  ITEM_KEY: unique('item'),
  RETRY_KEY: unique('retry'),
  // May only be sent to 127.0.0.1: sending it (even echoed back) to `localhost` is refused.
  BOUND_TOKEN: unique('bound'),
  // May only be sent to a host the tests never call.
  OFFLIMITS: unique('offlimits'),
};

/** Set in the runner's environment but not listed: no workflow may read it. */
const UNLISTED = { CLOUD_SECRET_KEY: unique('cloud') };
/** Set in the runner's environment and not a secret of any workflow: no shell step sees it. */
const AMBIENT = { RUNNER_ONLY_TOKEN: unique('ambient') };

const CONFIG = `secrets:
${Object.keys(SECRETS)
  .map((name) =>
    name === 'BOUND_TOKEN'
      ? `  ${name}: { hosts: [127.0.0.1] }`
      : name === 'OFFLIMITS'
        ? `  ${name}: { hosts: [crm.example.invalid] }`
        : `  ${name}:`,
  )
  .join('\n')}
`;

/**
 * Every form a value could be written in: as is, JSON-escaped, URL-encoded two ways, base64 and
 * base64url.
 */
function formsOf(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [
    ...new Set([
      value,
      JSON.stringify(value).slice(1, -1),
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      bytes.toString('base64'),
      bytes.toString('base64url'),
    ]),
  ];
}

/** Every file under `dir`, with its bytes. */
function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => {
      const file = path.join(entry.parentPath, entry.name);
      return { file, bytes: readFileSync(file) };
    });
}

/** A step that places `secret` in one of the places secrets may go. */
interface Placement {
  readonly id: string;
  readonly secret: keyof typeof SECRETS;
  readonly step: (origin: string) => string;
}

/** The places a secret may go, one step each; the generator writes them into one workflow. */
const PLACEMENTS: readonly Placement[] = [
  {
    id: 'bearer_header',
    secret: 'BEARER',
    step: (o) =>
      `    http: { url: ${o}/echo/a, headers: { authorization: 'Bearer \${{ secrets.BEARER }}' } }`,
  },
  {
    id: 'api_key_header',
    secret: 'HEADER_KEY',
    step: (o) =>
      `    http: { method: POST, url: ${o}/echo/b, headers: { x-api-key: '\${{ secrets.HEADER_KEY }}' }, body: { note: hi } }`,
  },
  {
    id: 'query',
    secret: 'QUERY_KEY',
    step: (o) =>
      `    http: { url: ${o}/echo/c, query: { api_key: '\${{ secrets.QUERY_KEY }}', page: '2' } }`,
  },
  {
    id: 'path',
    secret: 'PATH_KEY',
    step: (o) => `    http: { url: '${o}/echo/files/\${{ secrets.PATH_KEY }}/list' }`,
  },
  {
    id: 'body',
    secret: 'BODY_KEY',
    step: (o) =>
      `    http: { method: POST, url: ${o}/echo/d, body: { deep: [{ token: '\${{ secrets.BODY_KEY }}' }] } }`,
  },
  {
    id: 'auth_bearer',
    secret: 'BEARER',
    step: (o) => `    http: { url: ${o}/echo/e, auth: { bearer: '\${{ secrets.BEARER }}' } }`,
  },
  {
    id: 'auth_basic',
    secret: 'BASIC_PASSWORD',
    step: (o) =>
      `    http: { url: ${o}/echo/f, auth: { basic: { username: svc-user, password: '\${{ secrets.BASIC_PASSWORD }}' } } }`,
  },
  {
    id: 'bound_ok',
    secret: 'BOUND_TOKEN',
    step: (o) =>
      `    http: { url: ${o}/echo/g, headers: { x-token: '\${{ secrets.BOUND_TOKEN }}' } }`,
  },
  {
    id: 'shell_env',
    secret: 'SHELL_TOKEN',
    step: () =>
      `    shell: { run: 'echo "token=$T ambient=[$RUNNER_ONLY_TOKEN]" && echo "again $T" 1>&2', env: { T: '\${{ secrets.SHELL_TOKEN }}' } }`,
  },
];

/** The workflows of the scenario, written for the server at `origin`. */
function workflows(origin: string): Record<string, string> {
  const placed = PLACEMENTS.map((p) => `  - id: ${p.id}\n${p.step(origin)}`).join('\n');
  return {
    '.lockstep/config.yaml': CONFIG,
    // Every place at once, a model whose answer quotes its key, and outputs made of echoes.
    'places.workflow.yaml': `name: places
models:
  main: { provider: openai, model: m, base_url: ${origin}/v1, api_key: '\${{ secrets.MODEL_KEY }}' }
steps:
  - id: ask
    llm: { model: main, prompt: Say ok }
${placed}
outputs:
  model: \${{ steps.ask.output }}
  echoes: \${{ [steps.bearer_header.output.body, steps.query.output.body, steps.body.output.body, steps.auth_basic.output.body] }}
  shell: \${{ steps.shell_env.output }}
`,
    // Secrets echoed back flow on as data: through foreach items, a retried step and a child run.
    'parent.workflow.yaml': `name: parent
steps:
  - id: echo
    http: { method: POST, url: ${origin}/echo/p, body: { a: '\${{ secrets.ITEM_KEY }}', b: '\${{ secrets.BODY_KEY }}' } }
  - id: items
    transform: \${{ [steps.echo.output.body.body, steps.echo.output.body.url] }}
  - id: each
    foreach: \${{ steps.items.output }}
    concurrency: 2
    http: { method: POST, url: ${origin}/echo/each, body: { item: '\${{ item }}' } }
  - id: flaky
    retry: { max: 3, delay: 10ms }
    http: { url: ${origin}/flaky/r?fail=2, headers: { x-retry: '\${{ secrets.RETRY_KEY }}' } }
  - id: call
    workflow: { name: child, inputs: { given: '\${{ steps.echo.output.body.body }}' } }
outputs:
  each: \${{ steps.each.output }}
  child: \${{ steps.call.output }}
`,
    'child.workflow.yaml': `name: child
inputs:
  given: { type: string }
steps:
  - id: own
    http: { method: POST, url: ${origin}/echo/child, headers: { x-child: '\${{ secrets.CHILD_KEY }}' }, body: { given: '\${{ inputs.given }}' } }
outputs:
  given: \${{ inputs.given }}
  echoed: \${{ steps.own.output.body }}
`,
    // Failures whose messages and details would carry the secrets.
    'forbidden.workflow.yaml': `name: forbidden
steps:
  - id: call
    http: { url: '${origin}/echo/x?status=403', headers: { authorization: 'Bearer \${{ secrets.BEARER }}' } }
`,
    'refused.workflow.yaml': `name: refused
models:
  main: { provider: openai, model: m, base_url: ${origin}/refuse/v1, api_key: '\${{ secrets.MODEL_KEY }}' }
steps:
  - id: ask
    llm: { model: main, prompt: Say ok }
`,
    'shell-fails.workflow.yaml': `name: shell-fails
steps:
  - id: deploy
    shell: { run: 'echo "denied for $T" 1>&2; exit 3', env: { T: '\${{ secrets.SHELL_TOKEN }}' } }
`,
    // A bound secret, echoed back by its own host, then sent to another: refused before it leaves.
    'rebound.workflow.yaml': `name: rebound
steps:
  - id: mine
    http: { url: ${origin}/echo/mine, headers: { x-token: '\${{ secrets.BOUND_TOKEN }}' } }
  - id: elsewhere
    http: { method: POST, url: ${origin.replace('127.0.0.1', 'localhost')}/echo/elsewhere, body: '\${{ steps.mine.output.body.headers }}' }
`,
    'offlimits.workflow.yaml': `name: offlimits
steps:
  - id: call
    http: { url: ${origin}/echo/o, headers: { x-key: '\${{ secrets.OFFLIMITS }}' } }
`,
  };
}

/** Flows that validation refuses, with the code each gets; none of them may run. */
const FORBIDDEN: readonly { file: string; code: string; text: (origin: string) => string }[] = [
  {
    file: 'computed.workflow.yaml',
    code: 'secret-exposure',
    text: (o) => `name: computed
steps:
  - id: call
    http: { url: ${o}/echo/z, headers: { authorization: 'Basic \${{ $base64encode("u:" & secrets.BASIC_PASSWORD) }}' } }
`,
  },
  {
    file: 'upper.workflow.yaml',
    code: 'secret-exposure',
    text: (o) => `name: upper
steps:
  - id: call
    http: { url: '${o}/echo/\${{ $uppercase(secrets.PATH_KEY) }}' }
`,
  },
  {
    file: 'prompted.workflow.yaml',
    code: 'secret-exposure',
    text: (o) => `name: prompted
models:
  main: { provider: openai, model: m, base_url: ${o}/v1 }
steps:
  - id: ask
    llm: { model: main, prompt: 'the key is \${{ secrets.MODEL_KEY }}' }
`,
  },
  {
    file: 'output.workflow.yaml',
    code: 'secret-exposure',
    text: () => `name: output
steps:
  - id: a
    transform: 1
outputs:
  leaked: \${{ secrets.BEARER }}
`,
  },
  {
    file: 'unlisted.workflow.yaml',
    code: 'unknown-secret',
    text: (o) => `name: unlisted
steps:
  - id: call
    http: { url: ${o}/echo/u, headers: { x-key: '\${{ secrets.CLOUD_SECRET_KEY }}' } }
`,
  },
];

interface Scene {
  readonly repo: string;
  readonly server: TestServer;
  /** Everything the CLI printed. */
  readonly outputs: string[];
  readonly env: Record<string, string>;
}

async function scene(t: TestContext): Promise<Scene> {
  const server = await startTestServer(t);
  const repo = gitRepo(t, {
    ...workflows(server.origin),
    ...Object.fromEntries(FORBIDDEN.map((f) => [f.file, f.text(server.origin)])),
  });
  return { repo, server, outputs: [], env: { ...SECRETS, ...UNLISTED, ...AMBIENT } };
}

async function cli(s: Scene, args: string[], exit: number): Promise<string> {
  const result = await lockstep(s.repo, args, s.env);
  s.outputs.push(result.stdout, result.stderr);
  assertExit(result, exit);
  return result.stdout;
}

test('no secret, in any form, reaches the store or the CLI output, whatever path it takes', async (t) => {
  const s = await scene(t);
  const runJson = async (
    file: string,
    exit: number,
  ): Promise<{ id: string; error?: { code: string } }> =>
    JSON.parse(await cli(s, ['run', file, '--allow-shell', '--json'], exit)) as {
      id: string;
      error?: { code: string };
    };

  const places = await runJson('places.workflow.yaml', 0);
  const parent = await runJson('parent.workflow.yaml', 0);
  const failed = {
    forbidden: await runJson('forbidden.workflow.yaml', 1),
    refused: await runJson('refused.workflow.yaml', 1),
    shell: await runJson('shell-fails.workflow.yaml', 1),
  };
  assert.equal(failed.forbidden.error?.code, 'http-status');
  assert.equal(failed.refused.error?.code, 'auth');
  assert.equal(failed.shell.error?.code, 'exit-code');

  // A bound secret goes to its host and nowhere else, even when it comes back as data.
  const rebound = await runJson('rebound.workflow.yaml', 1);
  assert.equal(rebound.error?.code, 'secret-host');
  const offlimits = await runJson('offlimits.workflow.yaml', 1);
  assert.equal(offlimits.error?.code, 'secret-host');
  assert.ok(
    !s.server.requests.some((r) => r.url.includes('/elsewhere') || r.url.includes('/echo/o')),
  );

  // Everything that reads the runs back: inspect, lists, exact replays and a replay against.
  const ids = [
    places.id,
    parent.id,
    rebound.id,
    offlimits.id,
    ...Object.values(failed).map((f) => f.id),
  ];
  for (const id of ids) {
    await cli(s, ['inspect', id], 0);
    await cli(s, ['inspect', id, '--json'], 0);
  }
  for (const name of ['places', 'parent', 'child', 'forbidden', 'refused', 'shell-fails']) {
    await cli(s, ['runs', name, '--json'], 0);
  }
  await cli(s, ['replay', places.id, '--json'], 0);
  await cli(s, ['replay', parent.id], 0);
  await cli(s, ['replay', parent.id, '--against', 'parent.workflow.yaml', '--on-miss', 'fail'], 0);

  // The secrets really were used: the server got each (the Basic one as its credential).
  const sent = s.server.requests
    .map((r) => [r.url, ...Object.values(r.headers).flat(), r.body].join('\n'))
    .join('\n');
  const basic = Buffer.from(`svc-user:${SECRETS.BASIC_PASSWORD}`).toString('base64');
  for (const [name, value] of Object.entries(SECRETS)) {
    if (name === 'SHELL_TOKEN' || name === 'OFFLIMITS') continue;
    const form = name === 'BASIC_PASSWORD' ? basic : value;
    assert.ok(
      formsOf(form).some((f) => sent.includes(f)),
      `${name} was not sent: the test would prove nothing`,
    );
  }
  assert.ok(!sent.includes(SECRETS.OFFLIMITS), 'the off-limits secret left');
  assert.ok(!sent.includes(UNLISTED.CLOUD_SECRET_KEY), 'the unlisted secret left');

  // Zero hits: every secret, every form, every file of the store, every line printed.
  const files = filesUnder(path.join(s.repo, '.lockstep'));
  assert.ok(files.filter((f) => f.file.endsWith('.jsonl')).length >= ids.length);
  const needles = [
    ...Object.entries({ ...SECRETS, ...UNLISTED, ...AMBIENT }).flatMap(([name, value]) =>
      formsOf(value).map((form) => ({ name, form })),
    ),
    ...formsOf(basic).map((form) => ({ name: 'the Basic credential', form })),
  ];
  const found: string[] = [];
  for (const { name, form } of needles) {
    const bytes = Buffer.from(form, 'utf8');
    for (const { file, bytes: content } of files) {
      if (content.includes(bytes))
        found.push(`${name} as ${JSON.stringify(form)} in ${path.relative(s.repo, file)}`);
    }
    for (const output of s.outputs) {
      if (output.includes(form))
        found.push(`${name} as ${JSON.stringify(form)} in the CLI's output`);
    }
  }
  assert.deepEqual(found, []);

  // And the runs saw the secrets come back, as placeholders.
  const record = JSON.parse(await cli(s, ['inspect', places.id, '--json'], 0)) as {
    output: { model: string; shell: { stdout: string; stderr: string } };
  };
  assert.equal(record.output.model, 'ok Bearer ⟦secret:MODEL_KEY⟧');
  assert.equal(record.output.shell.stdout, 'token=⟦secret:SHELL_TOKEN⟧ ambient=[]\n');
  assert.equal(record.output.shell.stderr, 'again ⟦secret:SHELL_TOKEN⟧\n');
  const child = JSON.parse(await cli(s, ['inspect', parent.id, '--json'], 0)) as {
    output: { child: { given: string } };
  };
  assert.match(child.output.child.given, /⟦secret:ITEM_KEY⟧/);
});

test('each forbidden flow gets its validation error, and none of them runs', async (t) => {
  const s = await scene(t);
  for (const forbidden of FORBIDDEN) {
    const result = parseJson<{ files: { diagnostics: { code: string; message: string }[] }[] }>(
      await lockstep(s.repo, ['validate', forbidden.file, '--json'], s.env),
    );
    const codes = result.files.flatMap((f) => f.diagnostics.map((d) => d.code));
    assert.ok(codes.includes(forbidden.code), `${forbidden.file}: ${codes.join(', ')}`);
    const run = await lockstep(s.repo, ['run', forbidden.file, '--json'], s.env);
    assert.equal(run.code, 2, `${forbidden.file} ran: ${run.stdout}`);
  }
  assert.equal(s.server.requests.length, 0, 'nothing was sent');
});
