// `npm start` picks the editor from facts about the machine; these are its branches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MANUAL_SETUP, chooseEditor, setupBlocker, type SetupHost } from './choose-editor.js';

const REPO = '/src/lockstep';
const EXAMPLES = '/src/lockstep/examples';
const DEBIAN: SetupHost = {
  platform: 'linux',
  arch: 'x64',
  hasAptGet: true,
  isRoot: true,
  hasSudo: false,
};

test('`code` on PATH: VS Code with the repository as the extension under development', () => {
  const choice = chooseEditor(
    { code: '/usr/bin/code', codeServerInstalled: false, setupBlocker: undefined },
    REPO,
    EXAMPLES,
  );
  assert.deepEqual(choice, {
    kind: 'code',
    command: '/usr/bin/code',
    args: ['--extensionDevelopmentPath=/src/lockstep', '/src/lockstep/examples'],
  });
});

test('no `code`: code-server, set up first only when it is missing', () => {
  assert.deepEqual(chooseEditor({ codeServerInstalled: true }, REPO, EXAMPLES), {
    kind: 'code-server',
    setup: false,
  });
  assert.deepEqual(chooseEditor({ codeServerInstalled: false }, REPO, EXAMPLES), {
    kind: 'code-server',
    setup: true,
  });
});

test('no `code`, no code-server and no way to set it up: what to install instead', () => {
  const choice = chooseEditor(
    { codeServerInstalled: false, setupBlocker: 'this is darwin, not Linux.' },
    REPO,
    EXAMPLES,
  );
  assert.equal(choice.kind, 'instructions');
  assert.ok(choice.kind === 'instructions');
  assert.match(choice.message, /this is darwin, not Linux\./);
  assert.ok(choice.message.includes(MANUAL_SETUP));
  assert.match(choice.message, /`code` command on PATH/);
});

test('a blocker does not matter once code-server is installed', () => {
  const choice = chooseEditor(
    { codeServerInstalled: true, setupBlocker: 'apt-get is not available.' },
    REPO,
    EXAMPLES,
  );
  assert.deepEqual(choice, { kind: 'code-server', setup: false });
});

test('LOCKSTEP_EDITOR chooses between them', () => {
  const both = { code: '/usr/bin/code', codeServerInstalled: true };
  assert.equal(
    chooseEditor({ ...both, preferred: 'code-server' }, REPO, EXAMPLES).kind,
    'code-server',
  );
  assert.equal(chooseEditor({ ...both, preferred: 'code' }, REPO, EXAMPLES).kind, 'code');
  const missing = chooseEditor({ codeServerInstalled: true, preferred: 'code' }, REPO, EXAMPLES);
  assert.equal(missing.kind, 'instructions');
});

test('setup.sh runs on Debian or Ubuntu, x64 or arm64, as root or with sudo', () => {
  assert.equal(setupBlocker(DEBIAN), undefined);
  assert.equal(setupBlocker({ ...DEBIAN, arch: 'arm64', isRoot: false, hasSudo: true }), undefined);
  assert.match(setupBlocker({ ...DEBIAN, platform: 'darwin' })!, /darwin, not Linux/);
  assert.match(setupBlocker({ ...DEBIAN, platform: 'win32' })!, /win32/);
  assert.match(setupBlocker({ ...DEBIAN, hasAptGet: false })!, /apt-get/);
  assert.match(setupBlocker({ ...DEBIAN, arch: 'ia32' })!, /ia32/);
  assert.match(setupBlocker({ ...DEBIAN, isRoot: false })!, /root or sudo/);
});
