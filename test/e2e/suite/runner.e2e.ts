/**
 * Running workflows in a real VS Code (code-server with the packaged .vsix, driven from Chromium):
 * the Runner view, the lenses above workflows and steps, secrets from VS Code's secret storage and
 * Restricted Mode. Models are a loopback server speaking OpenAI's wire protocol; each scenario
 * saves a screenshot under test/e2e/screenshots/. Run with `npm run test:e2e`.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Frame, Locator, Page } from 'playwright-core';
import { REPEAT, answerWorkflow, keyedWorkflow, slowWorkflow } from '../scenario-files.js';
import { loopbackModel, type LoopbackModel } from '../../helpers/loopback-model.js';
import { createWorkspace } from '../workspace.js';
import {
  Cleanups,
  cli,
  cliAsync,
  holdingServer,
  lockstepLog,
  profileRoot,
  scenarios,
  startEditor,
} from './harness.js';
import {
  SERVER_TIMEOUT,
  answerInput,
  clickLens,
  codeLenses,
  comparisonSummary,
  contextMenu,
  expand,
  openFile,
  pickItem,
  openWorkbench,
  rowAt,
  rowLabelled,
  runCommand,
  runFromLens,
  runnerFrame,
  screenshot,
  sidebarRow,
  sidebarRows,
  treeRows,
  waitFor,
  webviewFrame,
} from './workbench.js';

/** What the loopback model answers (the workflow trims it). */
const ANSWER = 'Lockstep versions AI workflows.';
/** The value "Lockstep: Set Secret…" is given: it must reach the model and nothing else. */
const SECRET_VALUE = 'sk-e2e-3f9a61c2d4b87e05';

describe('running workflows in code-server', { timeout: 15 * 60_000 }, () => {
  const cleanups = new Cleanups();
  let page: Page;
  let otherPage: Page | undefined;
  let workspace: string;
  let userDataDir: string;
  let model: LoopbackModel;
  /** The version scenario 22's run of `answer` ran (`@ab12cd34`). */
  let answerVersion = '';
  const scenario = scenarios(
    () => otherPage ?? page,
    () => userDataDir,
  );

  before(async () => {
    // The key must come from the editor's secret storage, not from this process's environment.
    delete process.env['OPENAI_API_KEY'];
    const root = await profileRoot(cleanups, 'lockstep-e2e-runner-');
    model = await loopbackModel(ANSWER);
    cleanups.push(() => model.close());
    workspace = createWorkspace();
    cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
    // The slow workflow's endpoint never answers: only Cancel ends its run.
    const held = await holdingServer();
    cleanups.push(held.close);
    const files = [
      answerWorkflow(model.baseUrl),
      keyedWorkflow(model.baseUrl),
      REPEAT,
      slowWorkflow(held.origin),
    ];
    for (const file of files) {
      writeFileSync(path.join(workspace, file.name), file.text);
    }
    const editor = await startEditor(root, cleanups);
    page = editor.page;
    userDataDir = editor.userDataDir;
    await openWorkbench(page, editor.server.folderUrl(workspace), 'answer.workflow.yaml');
  });

  after(() => cleanups.run());

  scenario(
    'Run from CodeLens: a run pinned to its version, in History with its output; step lenses show results',
    '22-run-codelens',
    async () => {
      await openFile(page, 'answer.workflow.yaml');
      await waitFor('the Run lens above name:', async () =>
        (await codeLenses(page)).includes('▶ Run') ? true : undefined,
      );
      const runner = await runFromLens(page, /^▶ Run$/);
      const result = await runEnded(runner, 'succeeded');
      assert.ok(result.includes(ANSWER), result);
      // The title names the version that ran: the working copy, snapshotted.
      const text = await appText(runner);
      const version = /answer (@[0-9a-f]{8})/.exec(text)?.[1];
      answerVersion = version ?? '';
      assert.ok(version, `the runner names the version: ${text}`);
      assert.equal(model.authorizations.length, 1, 'one model call');
      await screenshot(page, '22-run-codelens-runner');

      await openFile(page, 'answer.workflow.yaml');
      const lenses = await waitFor('the step lenses with their results', async () => {
        const shown = await codeLenses(page);
        return shown.includes('1 run') &&
          shown.some((t) => new RegExp(`^✓ .* · 17 tok · ${version}$`).test(t))
          ? shown
          : undefined;
      });
      assert.ok(lenses.includes('▶ Run with Last Input'), lenses.join(' | '));
      assert.ok(
        lenses.filter((t) => t.startsWith('✓ ') && t.endsWith(` · ${version}`)).length === 2,
        lenses.join(' | '),
      );
      await screenshot(page, '22-run-codelens-lenses');

      await runCommand(page, 'Lockstep: Focus on History View');
      await expand(rowLabelled(page, 'Workflow answer,'));
      await expand(rowLabelled(page, `answer ${version},`));
      const run = sidebarRow(page, /✓ .* · live/).first();
      await run.waitFor({ timeout: SERVER_TIMEOUT });
      await run.click();
      const details = await webviewFrame(page, '#run-output');
      assert.ok(
        (await details.locator('#run-output').innerText()).includes(ANSWER),
        'the run details show the run’s output',
      );
      await screenshot(page, '22-run-codelens-history');

      // A step's lens opens its run at that step.
      await openFile(page, 'answer.workflow.yaml');
      await clickLens(page, new RegExp(`17 tok · ${version}$`));
      const revealed = await webviewFrame(page, 'li[data-path="ask"].open');
      assert.match(await revealed.locator('li[data-path="ask"]').innerText(), /Output/);
      await screenshot(page, '22-run-codelens-step');
    },
  );

  scenario(
    'the runner refuses a wrong input type inline, then runs',
    '23-runner-validation',
    async () => {
      await openFile(page, REPEAT.name);
      await runCommand(page, 'Lockstep: Focus on Runner View');
      const runner = await runnerFrame(page);
      await waitFor('the form of repeat', async () =>
        (await runner.locator('#field-times').count()) > 0 ? true : undefined,
      );
      await runner.locator('#field-word').fill('echo');
      await runner.locator('#field-times').fill('three');
      await runner.locator('#run').click();
      const error = runner.locator('#error-times');
      await waitFor('the inline error under times', async () =>
        (await error.isVisible()) && (await error.innerText()).trim() !== ''
          ? await error.innerText()
          : undefined,
      );
      assert.match(await error.innerText(), /integer|whole number/i);
      assert.equal(
        await runner.locator('#field-times').getAttribute('aria-invalid'),
        'true',
        'the field says it is invalid',
      );
      assert.deepEqual(runsOf(workspace, 'repeat'), [], 'nothing ran');
      await screenshot(page, '23-runner-validation');

      await runner.locator('#field-times').fill('3');
      await runner.locator('#field-times').focus();
      await page.keyboard.press('Control+Enter');
      const result = await runEnded(runner, 'succeeded');
      assert.ok(result.includes('echo echo echo'), result);
      assert.equal(runsOf(workspace, 'repeat').length, 1);
      await screenshot(page, '23-runner-validation-ran');
    },
  );

  scenario('Cancel stops a slow run, recorded as cancelled', '24-runner-cancel', async () => {
    await openFile(page, 'slow.workflow.yaml');
    await runCommand(page, 'Lockstep: Run Workflow');
    const runner = await runnerFrame(page);
    await runner
      .locator('li.step.status-running', { hasText: 'wait' })
      .waitFor({ timeout: SERVER_TIMEOUT });
    await screenshot(page, '24-runner-cancel-running');
    await runner.locator('#cancel').click();
    await runEnded(runner, 'cancelled');
    const runs = runsOf(workspace, 'slow');
    assert.equal(runs.length, 1);
    assert.equal(runs[0]!.status, 'cancelled');
    await screenshot(page, '24-runner-cancel');
  });

  scenario('Run Again with This Input refills the form', '25-run-again', async () => {
    const runner = await runnerFrame(page);
    await openFile(page, REPEAT.name);
    await waitFor('the form of repeat', async () =>
      (await runner.locator('#field-times').count()) > 0 ? true : undefined,
    );
    await runner.locator('#field-word').fill('other');
    await runner.locator('#field-times').fill('7');
    await runCommand(page, 'Lockstep: Focus on History View');
    await expand(rowLabelled(page, 'Workflow repeat,'));
    await expand(rowLabelled(page, 'repeat @'));
    const run = await waitFor('the run of repeat', () => firstRunUnder(page, 'repeat'));
    await contextMenu(page, run, 'Run Again with This Input');
    await waitFor('the form refilled from the run', async () =>
      (await runner.locator('#field-word').inputValue()) === 'echo' &&
      (await runner.locator('#field-times').inputValue()) === '3'
        ? true
        : undefined,
    );
    await screenshot(page, '25-run-again');
  });

  scenario(
    'a missing secret is asked for, then used, and never appears in the store or the log',
    '26-runner-secret',
    async () => {
      await openFile(page, 'keyed.workflow.yaml');
      const runner = await runFromLens(page, /^▶ Run$/);
      await waitFor('the notice naming the missing secret', async () =>
        /secrets\.OPENAI_API_KEY is not set/.test(await appText(runner)) ? true : undefined,
      );
      assert.deepEqual(runsOf(workspace, 'keyed'), [], 'nothing ran without the key');
      await screenshot(page, '26-runner-secret-missing');
      await runner.locator('#notice-action').click();
      await answerInput(page, SECRET_VALUE);
      await runEnded(runner, 'succeeded');
      assert.equal(model.authorizations.at(-1), `Bearer ${SECRET_VALUE}`);
      await screenshot(page, '26-runner-secret');

      const encodings = [
        SECRET_VALUE,
        Buffer.from(SECRET_VALUE).toString('base64'),
        Buffer.from(SECRET_VALUE).toString('hex'),
        encodeURIComponent(`Bearer ${SECRET_VALUE}`),
      ];
      for (const file of filesUnder(path.join(workspace, '.lockstep'))) {
        const content = readFileSync(file, 'latin1');
        for (const encoded of encodings) {
          assert.ok(!content.includes(encoded), `${file} holds the secret (${encoded})`);
        }
      }
      const log = await lockstepLog(userDataDir);
      assert.ok(log.length > 0, 'the Lockstep log was read');
      for (const encoded of encodings) assert.ok(!log.includes(encoded), 'the log holds it');
    },
  );

  scenario(
    'edit a step → Replay Against Working Copy: only the edited step changed; F7 moves to it; Replay Exactly is verified',
    '28-replay',
    async () => {
      assert.ok(answerVersion, 'scenario 22 ran answer');
      const file = path.join(workspace, 'answer.workflow.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '$trim(steps.ask.output)',
          '$uppercase($trim(steps.ask.output))',
        ),
      );
      const calls = model.authorizations.length;
      await runCommand(page, 'Lockstep: Focus on History View');
      await expand(rowLabelled(page, 'Workflow answer,'));
      await expand(rowLabelled(page, `answer ${answerVersion},`));
      const source = () =>
        waitFor('the recorded run of answer', () => firstRunUnder(page, answerVersion, 2));
      // History refreshes as runs land: a menu opened on a row being replaced is tried again.
      await waitFor(
        'the replay’s miss policy to be asked',
        async () => {
          await contextMenu(page, await source(), 'Replay Against Working Copy');
          return page
            .locator('.quick-input-list .monaco-list-row', { hasText: 'As configured' })
            .first()
            .waitFor({ timeout: 5_000 })
            .then(() => true)
            .catch(() => undefined);
        },
        60_000,
      );
      await pickItem(page, 'As configured');
      const comparison = await webviewFrame(page, '#steps');
      const tidy = comparison.locator('li.row[data-path="tidy"]');
      await tidy.waitFor({ timeout: SERVER_TIMEOUT });
      assert.equal(await tidy.getAttribute('data-change'), 'output-changed');
      assert.equal(
        await comparison.locator('li.row[data-path="ask"]').getAttribute('data-change'),
        'identical',
        'the step before the edit is unchanged (answered from the recording)',
      );
      assert.match(await comparison.locator('#hidden-note').innerText(), /1 identical step hidden/);
      assert.equal(model.authorizations.length, calls, 'the model was not called again');
      await comparison.locator('#summary').click();
      await page.keyboard.press('F7');
      await waitFor('F7 on the changed step', async () =>
        (await comparison.evaluate(
          () => document.activeElement?.closest('li.row')?.getAttribute('data-path') ?? '',
        )) === 'tidy'
          ? true
          : undefined,
      );
      await screenshot(page, '28-replay-against');

      await runCommand(page, 'Lockstep: Focus on History View');
      // As above: a menu opened on a row History is replacing is tried again.
      await waitFor(
        'the exact replay verified',
        async () => {
          await contextMenu(page, await source(), 'Replay Exactly');
          return waitFor(
            'the comparison',
            () => comparisonSummary(page, /^Verified/),
            10_000,
          ).catch(() => undefined);
        },
        60_000,
      );
      await screenshot(page, '28-replay-exact');
    },
  );

  scenario(
    'an untrusted workspace (trust enabled in another profile) shows history but cannot run',
    '27-restricted-mode',
    async () => {
      const root = await profileRoot(cleanups, 'lockstep-e2e-untrusted-');
      const stranger = createWorkspace();
      cleanups.push(() => rmSync(stranger, { recursive: true, force: true }));
      const answer = answerWorkflow(model.baseUrl);
      writeFileSync(path.join(stranger, answer.name), answer.text);
      cli(stranger, 'publish', answer.name, '-m', 'Answer v1');
      await cliAsync(stranger, 'run', answer.name);
      const calls = model.authorizations.length;

      const editor = await startEditor(root, cleanups, {
        settings: {
          'security.workspace.trust.enabled': true,
          'security.workspace.trust.startupPrompt': 'never',
        },
        workspaceTrust: true,
      });
      otherPage = editor.page;
      await openWorkbench(editor.page, editor.server.folderUrl(stranger), answer.name);
      await openFile(editor.page, answer.name);
      await waitFor('the lens saying why runs are off', async () =>
        (await codeLenses(editor.page)).some((t) => t.includes('Runs need a trusted workspace'))
          ? true
          : undefined,
      );
      await runCommand(editor.page, 'Lockstep: Focus on History View');
      await expand(rowLabelled(editor.page, 'Workflow answer,'));
      await expand(rowLabelled(editor.page, 'answer v1,'));
      await waitFor('the CLI’s run in History', async () =>
        (await sidebarRows(editor.page)).some((t) => /✓ .* · live/.test(t)) ? true : undefined,
      );
      await runCommand(editor.page, 'Lockstep: Focus on Runner View');
      const runner = await runnerFrame(editor.page);
      await waitFor('the runner saying why it cannot run', async () =>
        /Restricted Mode/.test(await appText(runner)) ? true : undefined,
      );
      assert.equal(await runner.locator('#run').isDisabled(), true, 'Run is disabled');
      await screenshot(editor.page, '27-restricted-mode');

      // Run Workflow from the palette says why, and nothing runs.
      await runCommand(editor.page, 'Lockstep: Run Workflow');
      await editor.page
        .locator('.notifications-toasts', { hasText: 'Runs are disabled in Restricted Mode' })
        .waitFor({ timeout: SERVER_TIMEOUT });
      assert.equal(runsOf(stranger, 'answer').length, 1);
      assert.equal(model.authorizations.length, calls, 'no model call');
      await screenshot(editor.page, '27-restricted-mode-run');
      otherPage = undefined;
    },
  );
});

/** The runner's run: its status (from its section's class) and its one-line result. */
async function runnerRun(frame: Frame): Promise<{ status?: string; result: string }> {
  const section = frame.locator('#run-section');
  // A hidden section keeps the class of the run it showed last.
  const shown = await section.isVisible().catch(() => false);
  const className = shown ? ((await section.getAttribute('class').catch(() => null)) ?? '') : '';
  const status = /\bstatus-(\w+)/.exec(className)?.[1];
  const result = await frame
    .locator('#run-result')
    .innerText()
    .catch(() => '');
  return { ...(status ? { status } : {}), result: result.replace(/\u00a0/g, ' ') };
}

/** Waits until the runner's run ended with `status`; returns its one-line result. */
async function runEnded(frame: Frame, status: string): Promise<string> {
  const ended = await waitFor(`the run to end ${status} in the runner`, async () => {
    const run = await runnerRun(frame);
    return run.status !== undefined && !['starting', 'running'].includes(run.status)
      ? run
      : undefined;
  });
  assert.equal(ended.status, status, `the run ended ${ended.status}: ${ended.result}`);
  return ended.result;
}

/** The first run row shown under the History row whose text starts with `label` (at `level`). */
async function firstRunUnder(page: Page, label: string, level = 1): Promise<Locator | undefined> {
  const rows = await treeRows(page);
  const at = rows.findIndex((row) => row.level === level && row.text.startsWith(`${label} `));
  if (at === -1) return undefined;
  for (const row of rows.slice(at + 1)) {
    if (row.level <= level) return undefined;
    if (/ (✓|✗|⊘) /.test(row.text)) return rowAt(page, row.index);
  }
  return undefined;
}

/** Everything a webview page shows, as text. */
async function appText(frame: Frame): Promise<string> {
  return (
    await frame
      .locator('#app')
      .innerText()
      .catch(() => '')
  ).replace(/\u00a0/g, ' ');
}

/** The workflow's runs as the CLI lists them, newest first. */
function runsOf(workspace: string, workflow: string): { id: string; status: string }[] {
  return (
    JSON.parse(cli(workspace, 'runs', workflow, '--json')) as {
      runs: { id: string; status: string }[];
    }
  ).runs;
}

/** Every file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((entry) => path.join(dir, entry))
    .filter((file) => statSync(file).isFile());
}
