/**
 * Channels from History in a real VS Code (code-server with the packaged .vsix, driven from
 * Chromium): Promote to Channel…, Start Canary… and Roll Back Channel… on published versions,
 * each confirmed in words, with the versions' badges and the status bar following. Each scenario
 * saves a screenshot under test/e2e/screenshots/. Run with `npm run test:e2e`.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { createWorkspace } from '../workspace.js';
import { REPO_ROOT } from '../../helpers/paths.js';
import { Cleanups, cli, profileRoot, scenarios, startEditor } from './harness.js';
import {
  SERVER_TIMEOUT,
  childRow,
  codeLenses,
  collapse,
  contextMenu,
  expand,
  lockstepStatusText,
  goTo,
  hoverText,
  openFile,
  openWorkbench,
  pickItem,
  problems,
  rowLabelled,
  runCommand,
  focusRunner,
  save,
  screenshot,
  sidebarRows,
  suggestions,
  waitFor,
  webviewFrame,
} from './workbench.js';

const CLI = path.join(REPO_ROOT, 'dist/cli.js');

const HELLO = `name: hello
inputs:
  who: { type: string }
steps:
  - id: greet
    transform: \${{ "Hello, " & inputs.who }}
outputs:
  text: \${{ steps.greet.output }}
`;

describe('channels in code-server', { timeout: 10 * 60_000 }, () => {
  const cleanups = new Cleanups();
  let page: Page;
  let workspace: string;
  let userDataDir: string | undefined;
  const scenario = scenarios(
    () => page,
    () => userDataDir,
  );

  before(async () => {
    const root = await profileRoot(cleanups, 'lockstep-e2e-channels-');
    workspace = createWorkspace();
    cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
    const file = path.join(workspace, 'hello.workflow.yaml');
    writeFileSync(file, HELLO);
    cli(workspace, 'publish', 'hello.workflow.yaml', '-m', 'Hello');
    writeFileSync(file, HELLO.replace('"Hello, "', '"Hi, "'));
    cli(workspace, 'publish', 'hello.workflow.yaml', '-m', 'Hi');
    // Written now: Quick Open finds what was on disk when the window opened.
    const caller = [
      'name: caller',
      'steps:',
      '  - id: greet',
      '    workflow:',
      '      name: hello',
      '      version: prodution',
      '      inputs: { who: Ada }',
      '',
    ].join('\n');
    writeFileSync(path.join(workspace, 'caller.workflow.yaml'), caller);
    const editor = await startEditor(root, cleanups);
    page = editor.page;
    userDataDir = editor.userDataDir;
    await openWorkbench(page, editor.server.folderUrl(workspace), 'hello.workflow.yaml');
  });

  after(() => cleanups.run());

  /** Confirms the modal dialog by its button, after checking what it says will change. */
  const confirm = async (button: string, words: string, shot?: string): Promise<void> => {
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: SERVER_TIMEOUT });
    assert.ok((await dialog.innerText()).includes(words), await dialog.innerText());
    if (shot) await screenshot(page, shot);
    await dialog.locator('.monaco-button', { hasText: button }).first().click();
    await dialog.waitFor({ state: 'hidden', timeout: SERVER_TIMEOUT });
  };
  /** Answers the input box whose title holds `title` (input boxes follow one another here). */
  const answer = async (title: string, text: string): Promise<void> => {
    const widget = page.locator('.quick-input-widget', { hasText: title });
    await widget.waitFor({ timeout: SERVER_TIMEOUT });
    await widget.locator('input').fill(text);
    await page.keyboard.press('Enter');
    await waitFor(`the input “${title}” answered`, async () =>
      (await widget.isVisible().catch(() => false)) ? undefined : true,
    );
  };
  /**
   * Runs `item` from the context menu of the History row labelled `row`, until its first question
   * (a quick input holding `next`) shows: History refreshes as the store changes, and a menu
   * opened on a row being replaced reaches the command without its row (it says to try again).
   */
  const menu = (row: string, item: string, next: string): Promise<true> =>
    waitFor(
      `“${item}” to ask its first question`,
      async () => {
        await contextMenu(page, rowLabelled(page, row), item);
        return page
          .locator('.quick-input-widget', { hasText: next })
          .waitFor({ timeout: 5_000 })
          .then(() => true as const)
          .catch(() => undefined);
      },
      60_000,
    );
  /** The History rows of hello's versions, once they say `text`. */
  const versionsSay = (what: string, check: (rows: string[]) => boolean) =>
    waitFor(what, async () => {
      const rows = (await sidebarRows(page)).filter((t) => /^v\d /.test(t));
      return check(rows) ? rows : undefined;
    });

  scenario(
    'Promote to Channel… from History: the badge and the status bar show production',
    '32-channel-promote',
    async () => {
      await openFile(page, 'hello.workflow.yaml');
      await runCommand(page, 'Lockstep: Focus on History View');
      await expand(rowLabelled(page, 'Workflow hello,'));
      await menu('hello v1,', 'Promote to Channel…', 'New channel…');
      await pickItem(page, 'New channel…');
      await answer('Promote hello v1 to', 'production');
      await answer('production: nothing → v1 100%', 'First release');
      await confirm('Promote', 'production: nothing → v1 100%');
      await versionsSay('v1 on production', (rows) =>
        rows.some((t) => t.startsWith('v1 production 100% ·')),
      );
      const log = readFileSync(path.join(workspace, '.lockstep/control.jsonl'), 'utf8');
      assert.match(log, /"message":"First release"/);
      await screenshot(page, '32-channel-promote');
    },
  );

  scenario(
    'Start Canary… at 10 %: both versions show their shares; the status bar the file’s',
    '33-channel-canary',
    async () => {
      await menu('hello v2,', 'Start Canary…', 'production');
      await pickItem(page, 'production');
      await answer('its share of the traffic', '10');
      await answer('sticky key', 'inputs.who');
      await answer('abort automatically if', '');
      await answer('production: v1 100% → v1 90% · v2 10%', 'Try Hi on a tenth');
      await confirm(
        'Start Canary',
        'production: v1 100% → v1 90% · v2 10%, sticky inputs.who',
        '33-channel-canary-confirm',
      );
      await versionsSay(
        'both versions with their shares',
        (rows) =>
          rows.some((t) => t.startsWith('v1 production 90% ·')) &&
          rows.some((t) => t.startsWith('v2 production 10% candidate ·')),
      );
      // The working copy is v2's content.
      await openFile(page, 'hello.workflow.yaml');
      await waitFor('the status bar to show the canary', async () =>
        (await lockstepStatusText(page)) === 'v2 · production 10%' ? true : undefined,
      );
      await waitFor('the lens above name: to show it too', async () =>
        (await codeLenses(page)).includes('v2 · production 10%') ? true : undefined,
      );
      await screenshot(page, '33-channel-canary');
    },
  );

  scenario(
    'Roll Back Channel… restores v1 at 100 %, and the status bar follows',
    '34-channel-rollback',
    async () => {
      await runCommand(page, 'Lockstep: Focus on History View');
      await menu('hello v2,', 'Roll Back Channel…', 'production');
      await pickItem(page, 'production');
      await answer('production: v1 90% · v2 10%', '');
      await confirm('Roll Back', 'production: v1 90% · v2 10%, sticky inputs.who → v1 100%');
      await versionsSay(
        'v1 alone on production again',
        (rows) =>
          rows.some((t) => t.startsWith('v1 production 100% ·')) &&
          !rows.some((t) => t.startsWith('v2 production')),
      );
      await openFile(page, 'hello.workflow.yaml');
      await waitFor('the status bar without the channel', async () =>
        (await lockstepStatusText(page)) === 'v2' ? true : undefined,
      );
      const channels = cli(workspace, 'channels', 'hello');
      assert.match(channels, /production/);
      await screenshot(page, '34-channel-rollback');
    },
  );

  scenario(
    'the Runner runs a channel: routed to its version, and the run details say how',
    '36-channel-runner',
    async () => {
      await openFile(page, 'hello.workflow.yaml');
      const runner = await focusRunner(page);
      await waitFor('the channel among the targets', async () =>
        (await runner.locator('#target option[value="hello@production"]').count()) > 0
          ? true
          : undefined,
      );
      await runner.locator('#target').selectOption('hello@production');
      await runner.locator('#field-who').waitFor({ timeout: SERVER_TIMEOUT });
      await runner.locator('#field-who').fill('Ada');
      await runner.locator('#run').click();
      await waitFor('the run to end on v1, where production sends everything', async () => {
        const result = await runner
          .locator('#run-result')
          .innerText()
          .catch(() => '');
        return result.includes('Hello, Ada') ? true : undefined;
      });
      await runner.locator('#open-details').click();
      const details = await webviewFrame(page, '#run-output');
      await waitFor('the routing in the run details', async () =>
        /Channel\s*production r\d+ · stable · bucket \d+ \(random\)/.test(
          await details.locator('#app').innerText(),
        )
          ? true
          : undefined,
      );
      await screenshot(page, '36-channel-runner');
    },
  );

  scenario(
    'a call pinned to an unknown channel is flagged; completion offers the store’s channels',
    '35-channel-language',
    async () => {
      await openFile(page, 'caller.workflow.yaml');
      await page.keyboard.press('Control+Shift+M'); // View: Toggle Problems
      const [flagged] = await waitFor('the unknown channel in the Problems panel', async () => {
        const found = (await problems(page)).filter((p) => p.message.includes("'prodution'"));
        return found.length > 0 ? found : undefined;
      });
      assert.match(
        flagged!.message,
        /no channel 'prodution' in the store \(channels: production\)/,
      );
      assert.equal(flagged!.line, 6);
      await screenshot(page, '35-channel-language-flagged');

      // Replace the misspelt name and ask for completions, as a user would.
      await goTo(page, { line: 6, column: 16 });
      await page.keyboard.press('Shift+End');
      await page.keyboard.press('Delete');
      await page.keyboard.press('Control+Space');
      const offered = await waitFor('the channel names in the suggestion list', async () => {
        const labels = await suggestions(page);
        return labels.includes('production') ? labels : undefined;
      });
      assert.ok(offered.includes('production'), offered.join(', '));
      await screenshot(page, '35-channel-language');
      await page.keyboard.press('Enter');
      await save(page);
      await waitFor('the warning gone', async () =>
        (await problems(page)).some((p) => p.message.includes("'prodution'")) ? undefined : true,
      );
    },
  );

  scenario(
    'hovering the channel a call is pinned to says where it sends runs now',
    '37-channel-hover',
    async () => {
      await openFile(page, 'caller.workflow.yaml');
      await goTo(page, { line: 6, column: 18 });
      let polls = 0;
      const shown = await waitFor('the channel’s hover', async () => {
        const hover = await hoverText(page);
        if (hover === undefined && polls++ % 30 === 0) {
          await page.keyboard.press('Control+K');
          await page.keyboard.press('Control+I'); // Show or Focus Hover
        }
        return hover?.includes('→') ? hover : undefined;
      });
      assert.match(shown, /production → hello v1 100%/);
      assert.match(shown, /last change: rollback/);
      await screenshot(page, '37-channel-hover');
      await page.keyboard.press('Escape');
    },
  );

  scenario(
    'a channel in History: its versions’ figures over the last hour and day, and its changes',
    '38-channel-health',
    async () => {
      await runCommand(page, 'Lockstep: Focus on History View');
      await expand(rowLabelled(page, 'Workflow hello,'));
      await expand(rowLabelled(page, 'Channel production of hello,'));
      await waitFor('v1’s figures: the run the Runner sent through production', async () =>
        (await sidebarRows(page)).some((t) =>
          /^v1 · stable 100% last hour: 1 run · 0% failed · p95 \d+ ms$/.test(t),
        )
          ? true
          : undefined,
      );
      await waitFor('the figures of the last day', async () =>
        (await sidebarRows(page)).some((t) => /^Last day 1 run · 0% failed · p95 \d+ ms$/.test(t))
          ? true
          : undefined,
      );
      const changes = await waitFor('the channel’s Changes', () =>
        childRow(page, /^production /, /^Changes 3$/),
      );
      await expand(changes);
      const history = await waitFor('its three changes, newest first', async () => {
        const texts = (await sidebarRows(page)).filter((t) => /^r\d /.test(t));
        return texts.length === 3 ? texts : undefined;
      });
      assert.match(history[0]!, /^r3 rollback v1 90% · v2 10%, sticky inputs.who → v1 100% · /);
      assert.match(
        history[1]!,
        /^r2 canary v1 100% → v1 90% · v2 10%, sticky inputs.who · .* · \(rolled back\)$/,
      );
      assert.match(history[2]!, /^r1 promote nothing → v1 100% · /);
      await screenshot(page, '38-channel-health');
      // Closed again, so that the versions below it stay in view (the tree shows what fits).
      await collapse(rowLabelled(page, 'Channel production of hello,'));
    },
  );

  scenario(
    'Start Canary… with an abort threshold, then Change Weight… from the channel',
    '39-channel-weight',
    async () => {
      await runCommand(page, 'Lockstep: Focus on History View');
      await menu('hello v2,', 'Start Canary…', 'production');
      await pickItem(page, 'production');
      await answer('its share of the traffic', '10');
      await answer('sticky key', '');
      // A threshold the service cannot read is refused as it is typed.
      const thresholds = page.locator('.quick-input-widget', { hasText: 'abort automatically if' });
      await thresholds.waitFor({ timeout: SERVER_TIMEOUT });
      await thresholds.locator('input').fill('failure_rate > lots');
      await waitFor('the threshold refused inline', async () =>
        /write "failure_rate > 5%"/.test(await thresholds.innerText()) ? true : undefined,
      );
      await screenshot(page, '39-channel-threshold-refused');
      await answer('abort automatically if', 'failure_rate > 5%');
      await answer('production: v1 100% → v1 90% · v2 10%', 'Hi again, watched');
      await confirm(
        'Start Canary',
        'production: v1 100% → v1 90% · v2 10%, abort if failure_rate > 5% (at least 20 runs)',
      );
      await versionsSay('v2 at 10 %', (rows) =>
        rows.some((t) => t.startsWith('v2 production 10% candidate ·')),
      );

      await menu('Channel production of hello,', 'Change Weight…', 'the share of v2');
      await answer('production: the share of v2 (now 10%)', '50');
      await answer('production: v1 90% · v2 10% → v1 50% · v2 50%', 'Half');
      await confirm(
        'Change Weight',
        'production: v1 90% · v2 10% → v1 50% · v2 50%, abort if failure_rate > 5% (at least 20 runs)',
        '39-channel-weight-confirm',
      );
      await versionsSay(
        'both versions at 50 %',
        (rows) =>
          rows.some((t) => t.startsWith('v1 production 50% ·')) &&
          rows.some((t) => t.startsWith('v2 production 50% candidate ·')),
      );
      await screenshot(page, '39-channel-weight');
    },
  );

  scenario(
    'a canary aborted by its health check is a warning on the channel until it is opened',
    '40-channel-auto-abort',
    async () => {
      await menu('Channel production of hello,', 'Abort Canary…', 'v1 50% · v2 50% → v1 100%');
      await answer('production: v1 50% · v2 50% → v1 100%', '');
      await confirm('Abort Canary', 'production: v1 50% · v2 50% → v1 100%');
      await versionsSay('v1 alone again', (rows) =>
        rows.some((t) => t.startsWith('v1 production 100% ·')),
      );

      // v3 fails every run; a canary of it at 99 % aborts after two failures.
      const file = path.join(workspace, 'hello.workflow.yaml');
      const working = readFileSync(file, 'utf8');
      writeFileSync(file, working.replace(/transform: .*/, 'transform: ${{ $error("broken") }}'));
      cli(workspace, 'publish', 'hello.workflow.yaml', '-m', 'Broken');
      writeFileSync(file, working);
      cli(
        workspace,
        'canary',
        'hello@3',
        '--channel',
        'production',
        '--weight',
        '99',
        '--abort-if',
        'failure_rate > 5%',
        '--min-runs',
        '2',
        '-m',
        'Try v3',
      );
      const log = path.join(workspace, '.lockstep/control.jsonl');
      for (let i = 0; !readFileSync(log, 'utf8').includes('"auto-abort"'); i++) {
        assert.ok(i < 30, 'the canary is aborted within 30 runs');
        spawnSync(process.execPath, [CLI, 'run', 'hello@production', '-i', `who=u${i}`], {
          cwd: workspace,
        });
      }

      const warned = await waitFor('the warning on the workflow and the channel', async () => {
        const rows = await sidebarRows(page);
        return rows.some((t) => /^hello v3 · canary aborted on production$/.test(t)) &&
          rows.some((t) => /^production canary aborted automatically · v1 100%$/.test(t))
          ? rows
          : undefined;
      });
      assert.ok(warned.length > 0);
      await waitFor('the badge on the Lockstep view container', async () =>
        (await activityBadge(page)) === '1' ? true : undefined,
      );
      await screenshot(page, '40-channel-auto-abort');

      await expand(rowLabelled(page, 'Channel production of hello,'));
      await waitFor('the warning gone once seen', async () => {
        const rows = await sidebarRows(page);
        return rows.some((t) => /^production v1 100%$/.test(t)) &&
          !rows.some((t) => t.includes('aborted')) &&
          (await activityBadge(page)) === undefined
          ? true
          : undefined;
      });
      const changes = await waitFor('the channel’s Changes', () =>
        childRow(page, /^production /, /^Changes \d+$/),
      );
      await expand(changes);
      await waitFor(
        'the automatic abort in the changes, with what crossed the threshold',
        async () =>
          (await sidebarRows(page)).some((t) =>
            /^r\d+ auto-abort v1 1% · v3 99% → v1 100% · .* · lockstep \(canary health\)$/.test(t),
          )
            ? true
            : undefined,
      );
      await screenshot(page, '40-channel-auto-abort-seen');
    },
  );
});

/** The badge on the Lockstep view container's activity bar icon, if it shows one. */
async function activityBadge(page: Page): Promise<string | undefined> {
  const badge = page
    .locator('.part.activitybar .action-item', { has: page.locator('[aria-label^="Lockstep"]') })
    .locator('.badge-content');
  const text =
    (await badge.count()) > 0
      ? await badge
          .first()
          .innerText()
          .catch(() => '')
      : '';
  return text.trim() === '' ? undefined : text.trim();
}
