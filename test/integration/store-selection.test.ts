// Which store the CLI opens: --store <folder|url>, then LOCKSTEP_STORE, then the config's store:,
// else the workspace's files; a password written into the committed config is refused (at the
// field, and when a command opens the store), and no password given in a URL is ever printed.
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { openPgStore } from '../../core/src/node/store/postgres/pg-store.js';
import {
  assertExit,
  GREET,
  gitRepo,
  lockstep,
  parseJson,
  writeFiles,
} from '../helpers/cli-workspace.js';
import type { CliResult } from '../helpers/cli.js';
import {
  ok,
  roleWithPassword,
  splitPassword,
  workspaceWithHistory,
} from '../helpers/migration-workspace.js';
import { freshDatabase } from '../helpers/postgres.js';
import { tempDir } from '../helpers/temp.js';

/** A fresh database holding an empty store: its URL (with the test server's password). */
async function emptyStore(t: Parameters<typeof freshDatabase>[0]): Promise<string> {
  const url = await freshDatabase(t);
  await (await openPgStore(url, { create: true })).close();
  return url;
}

/** The store `lockstep verify` opened, as it names it. */
async function storeUsed(dir: string, args: string[], env: Record<string, string> = {}) {
  const result = await lockstep(dir, ['verify', '--json', ...args], env);
  assertExit(result, 0);
  return parseJson<{ store: string }>(result).store;
}

function assertNoPassword(result: CliResult, password: string): void {
  assert.ok(!result.stdout.includes(password), `password on stdout:\n${result.stdout}`);
  assert.ok(!result.stderr.includes(password), `password on stderr:\n${result.stderr}`);
}

test('the store is --store, else LOCKSTEP_STORE, else the config’s store:, else the files', async (t) => {
  const [a, b, c] = await Promise.all([emptyStore(t), emptyStore(t), emptyStore(t)]);
  const configured = splitPassword(c);
  const dir = gitRepo(t, { 'greet.workflow.yaml': GREET });
  await ok(dir, ['snapshot', 'greet.workflow.yaml']);
  const files = path.join(dir, '.lockstep');
  const other = tempDir(t, 'lockstep-other-store-');
  await ok(dir, ['snapshot', 'greet.workflow.yaml', '--store', other]);
  assert.equal(await storeUsed(dir, []), files);

  writeFiles(dir, { '.lockstep/config.yaml': `store: ${configured.url}\n` });
  const pgpassword = { PGPASSWORD: configured.password };
  const shown = (url: string) => splitPassword(url).url;
  assert.equal(await storeUsed(dir, [], pgpassword), configured.url);
  assert.equal(await storeUsed(dir, [], { ...pgpassword, LOCKSTEP_STORE: b }), shown(b));
  assert.equal(
    await storeUsed(dir, ['--store', a], { ...pgpassword, LOCKSTEP_STORE: b }),
    shown(a),
  );
  // A folder given explicitly wins over the config too.
  assert.equal(await storeUsed(dir, ['--store', other], pgpassword), path.resolve(other));
  assert.equal(await storeUsed(dir, [], { ...pgpassword, LOCKSTEP_STORE: other }), other);
});

test('a password in the config’s store: is an error at the field and refused when opening', async (t) => {
  const url = await emptyStore(t);
  const { url: bare } = splitPassword(url);
  const secret = 'Pw-in-config-4417';
  const withPassword = bare.replace('lockstep@', `lockstep:${secret}@`);
  const dir = gitRepo(t, {
    'greet.workflow.yaml': GREET,
    '.lockstep/config.yaml': `# the team's store\nstore: ${withPassword}\n`,
  });

  const validated = await lockstep(dir, ['validate']);
  assertExit(validated, 1);
  assert.match(
    validated.stderr,
    /^\.lockstep\/config\.yaml:2:8: error literal-secret: store: the URL holds a password .*PGPASSWORD or ~\/\.pgpass, or the whole URL in LOCKSTEP_STORE$/m,
  );
  assertNoPassword(validated, secret);

  for (const args of [
    ['versions', 'greet'],
    ['verify'],
    ['run', 'greet.workflow.yaml', '-i', 'who=x'],
  ]) {
    const refused = await lockstep(dir, args);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\.lockstep\/config\.yaml:2:8: error literal-secret: store: /);
    assertNoPassword(refused, secret);
  }
  // The same URL from the environment is the user's own: it is used.
  assert.equal(
    await storeUsed(dir, [], { LOCKSTEP_STORE: withPassword.replace(secret, 'lockstep') }),
    bare,
  );
});

test('a password given in a URL is never printed, by errors or by commands that work', async (t) => {
  const url = await freshDatabase(t);
  const role = await roleWithPassword(t, url);
  const { dir } = await workspaceWithHistory(t);

  const wrong = role.url.replace(role.password, 'Wrong-pw-5521');
  const refusedLogin = await lockstep(dir, ['versions', 'greet', '--store', wrong]);
  assertExit(refusedLogin, 2);
  assert.match(refusedLogin.stderr, /refused the login/);
  assertNoPassword(refusedLogin, 'Wrong-pw-5521');

  const empty = await lockstep(dir, ['verify', '--store', role.url]);
  assertExit(empty, 2);
  assertNoPassword(empty, role.password);

  const results = [
    await lockstep(dir, ['migrate', '--to', role.url]),
    await lockstep(dir, ['migrate', '--to', role.url, '--json']),
    await lockstep(dir, ['verify', '--json', '--store', role.url]),
    await lockstep(dir, ['runs', 'greet', '--store', role.url]),
    await lockstep(dir, ['channels', 'greet', '--json'], { LOCKSTEP_STORE: role.url }),
    await lockstep(dir, ['run', 'greet@production', '-i', 'who=Fay', '--store', role.url]),
  ];
  for (const result of results) {
    assertExit(result, 0);
    assertNoPassword(result, role.password);
  }
  assert.match(results[2]!.stdout, /"store": "postgres:\/\/lockstep_role_[0-9a-f]+@/);
});
