// Secrets never reach the store. Workflows use known, unique secret values everywhere secrets
// are allowed (a model's api_key, Authorization and x-api-key headers, a URL query and path, a
// Basic credential, a shell step's env) against a local server that sends credentials back;
// then every byte of every file under .lockstep/ is searched for each value and its encodings.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { assertExit, gitRepo, lockstep, parseJson } from '../helpers/cli-workspace.js';
import { startTestServer } from '../helpers/engine-http-server.js';

/** A long value that occurs nowhere by chance. */
function unique(label: string, alphabet = ''): string {
  return `${label}-${randomBytes(16).toString('hex')}${alphabet}-${randomBytes(8).toString('hex')}`;
}

/** Every form a value could be written in: as is, URL-encoded two ways, base64 and base64url. */
function formsOf(value: string): string[] {
  const bytes = Buffer.from(value, 'utf8');
  return [
    ...new Set([
      value,
      encodeURIComponent(value),
      new URLSearchParams({ v: value }).toString().slice(2),
      bytes.toString('base64'),
      bytes.toString('base64url'),
      JSON.stringify(value).slice(1, -1),
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

test('no secret value, nor any encoding of one, reaches any file of the store', async (t) => {
  const server = await startTestServer(t);
  const secrets = {
    LOCKSTEP_TEST_MODEL_KEY: unique('model-key'),
    LOCKSTEP_TEST_BEARER: unique('bearer'),
    LOCKSTEP_TEST_X_API_KEY: unique('x-api-key'),
    // Characters a URL encodes, so the encoded form differs from the value.
    LOCKSTEP_TEST_QUERY_KEY: unique('query', '+/=:?&'),
    LOCKSTEP_TEST_PATH_KEY: unique('path'),
    LOCKSTEP_TEST_BASIC: `svc-user:${unique('basic-password')}`,
    LOCKSTEP_TEST_SHELL: unique('shell'),
  };
  const origin = server.origin;
  const repo = gitRepo(t, {
    // Everything succeeds; every response carries the credentials it was sent.
    'scan.workflow.yaml': `name: scan
models:
  main:
    provider: openai
    model: test-model
    base_url: ${origin}/v1
    api_key: \${{ secrets.LOCKSTEP_TEST_MODEL_KEY }}
steps:
  - id: ask
    llm: { model: main, prompt: Say ok }
  - id: bearer
    http:
      url: ${origin}/echo/bearer
      headers:
        authorization: Bearer \${{ secrets.LOCKSTEP_TEST_BEARER }}
  - id: apikey
    http:
      method: POST
      url: ${origin}/echo/apikey
      headers:
        x-api-key: \${{ secrets.LOCKSTEP_TEST_X_API_KEY }}
      body: { note: hello }
  - id: query
    http:
      url: ${origin}/echo/query
      query:
        api_key: \${{ secrets.LOCKSTEP_TEST_QUERY_KEY }}
        page: "2"
  - id: inpath
    http:
      url: ${origin}/echo/files/\${{ secrets.LOCKSTEP_TEST_PATH_KEY }}/list
  - id: basic
    http:
      url: ${origin}/echo/basic
      headers:
        authorization: Basic \${{ $base64encode(secrets.LOCKSTEP_TEST_BASIC) }}
  - id: shell
    shell:
      run: echo "token=$SECRET_TOKEN" && echo "also $SECRET_TOKEN" 1>&2
      env:
        SECRET_TOKEN: \${{ secrets.LOCKSTEP_TEST_SHELL }}
outputs:
  model: \${{ steps.ask.output }}
  echoed: \${{ steps.bearer.output.body.headers.authorization }}
  shell: \${{ steps.shell.output.stdout }}
`,
    // The model endpoint refuses the key and quotes it back in its error.
    'refused.workflow.yaml': `name: refused
models:
  main:
    provider: openai
    model: test-model
    base_url: ${origin}/refuse/v1
    api_key: \${{ secrets.LOCKSTEP_TEST_MODEL_KEY }}
steps:
  - id: ask
    llm: { model: main, prompt: Say ok }
`,
    // An HTTP endpoint answers 403 with the request (headers included) in its body.
    'forbidden.workflow.yaml': `name: forbidden
steps:
  - id: call
    http:
      url: ${origin}/echo/forbidden?status=403
      headers:
        authorization: Bearer \${{ secrets.LOCKSTEP_TEST_BEARER }}
        x-api-key: \${{ secrets.LOCKSTEP_TEST_X_API_KEY }}
`,
  });

  const outputs: string[] = [];
  const run = async (file: string, expectedExit: number): Promise<string> => {
    const result = await lockstep(repo, ['run', file, '--allow-shell', '--json'], secrets);
    assertExit(result, expectedExit);
    outputs.push(result.stdout, result.stderr);
    return parseJson<{ id: string }>(result).id;
  };
  const ids = [
    await run('scan.workflow.yaml', 0),
    await run('refused.workflow.yaml', 1),
    await run('forbidden.workflow.yaml', 1),
  ];
  // Reading commands too, so whatever they write (an index, caches) is scanned as well.
  for (const id of ids) {
    const inspected = await lockstep(repo, ['inspect', id, '--json']);
    assertExit(inspected, 0);
    outputs.push(inspected.stdout);
  }
  for (const name of ['scan', 'refused', 'forbidden']) {
    assertExit(await lockstep(repo, ['runs', name, '--json']), 0);
  }

  // The secrets really were used: the server got every one of them.
  const sent = JSON.stringify(server.requests);
  for (const [name, value] of Object.entries(secrets)) {
    if (name === 'LOCKSTEP_TEST_SHELL') continue; // the shell step does not call the server
    const form = name === 'LOCKSTEP_TEST_BASIC' ? Buffer.from(value).toString('base64') : value;
    assert.ok(
      sent.includes(form) || sent.includes(encodeURIComponent(value)),
      `${name} was not sent`,
    );
  }
  const files = filesUnder(path.join(repo, '.lockstep'));
  assert.ok(
    files.some((f) => f.file.endsWith('.jsonl') && f.file.includes(ids[0]!)),
    `the run journals are among the scanned files: ${files.map((f) => f.file).join(', ')}`,
  );
  const found: string[] = [];
  for (const [name, value] of Object.entries(secrets)) {
    for (const form of formsOf(value)) {
      const needle = Buffer.from(form, 'utf8');
      for (const { file, bytes } of files) {
        if (bytes.includes(needle))
          found.push(`${name} as ${form} in ${path.relative(repo, file)}`);
      }
      for (const output of outputs) {
        if (output.includes(form)) found.push(`${name} as ${form} in the CLI's output`);
      }
    }
  }
  assert.deepEqual(found, []);

  // And the run saw them come back: the shell printed its token, the model echoed its key.
  const scan = await lockstep(repo, ['inspect', ids[0]!, '--json']);
  const record = parseJson<{
    status: string;
    output: { model: string; echoed: string; shell: string };
  }>(scan);
  assert.equal(record.status, 'succeeded');
  assert.equal(record.output.model, 'ok Bearer ⟦secret:LOCKSTEP_TEST_MODEL_KEY⟧');
  assert.equal(record.output.echoed, 'Bearer ⟦secret:LOCKSTEP_TEST_BEARER⟧');
  assert.equal(record.output.shell, 'token=⟦secret:LOCKSTEP_TEST_SHELL⟧\n');
});
