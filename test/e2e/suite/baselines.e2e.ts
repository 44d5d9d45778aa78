/**
 * Regression baselines and replays in a real VS Code (code-server with the packaged .vsix, driven
 * from Chromium): Add to Baselines from History, the Testing view's tests failing after an edit
 * with their diff at the step, Accept as New Baseline, and Replay… from run details and the
 * runner. Models are a loopback server speaking OpenAI's wire protocol; each scenario saves a
 * screenshot under test/e2e/screenshots/. Run with `npm run test:e2e`.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { answerWorkflow } from '../scenario-files.js';
import { loopbackModel, type LoopbackModel } from '../../helpers/loopback-model.js';
import { pollUntil } from '../../helpers/store-wait.js';
import { createWorkspace } from '../workspace.js';
import { addToBaselines, expandTestingRow, lastTestingLabels, testState } from './testing-view.js';
import {
  Cleanups,
  cli,
  cliAsync,
  lockstepLog,
  profileRoot,
  scenarios,
  startEditor,
} from './harness.js';
import {
  SERVER_TIMEOUT,
  comparisonSummary,
  expand,
  openFile,
  openWorkbench,
  pickItem,
  rowLabelled,
  runCommand,
  focusRunner,
  screenshot,
  sidebarRow,
  sidebarRows,
  waitFor,
  whileOpen,
} from './workbench.js';

/** What the loopback model answers (the workflow trims it). */
const ANSWER = 'Lockstep versions AI workflows.';

describe('baselines and replays in code-server', { timeout: 15 * 60_000 }, () => {
  const cleanups = new Cleanups();
  let page: Page;
  let workspace: string;
  let userDataDir: string;
  let model: LoopbackModel;
  /** The run scenario 29 keeps as a baseline. */
  let recorded = '';
  /** The name of its baseline's file. */
  let firstBaseline = '';
  const scenario = scenarios(
    () => page,
    () => userDataDir,
  );

  before(async () => {
    delete process.env['OPENAI_API_KEY'];
    const root = await profileRoot(cleanups, 'lockstep-e2e-baselines-');
    model = await loopbackModel(ANSWER);
    cleanups.push(() => model.close());
    workspace = createWorkspace();
    cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
    const answer = answerWorkflow(model.baseUrl);
    writeFileSync(path.join(workspace, answer.name), answer.text);
    cli(workspace, 'publish', answer.name, '-m', 'Answer briefly');
    // Not `cli`: the model is a server of this process, which must keep answering.
    const run = JSON.parse(await cliAsync(workspace, 'run', answer.name, '--json')) as {
      id: string;
    };
    recorded = run.id;
    const editor = await startEditor(root, cleanups);
    page = editor.page;
    userDataDir = editor.userDataDir;
    await openWorkbench(page, editor.server.folderUrl(workspace), 'answer.workflow.yaml');
  });

  after(() => cleanups.run());

  scenario(
    'Add to Baselines from History: the run is kept in .lockstep/baselines and listed in Testing',
    '29-add-baseline',
    async () => {
      await openFile(page, 'answer.workflow.yaml');
      await runCommand(page, 'Lockstep: Focus on History View');
      await expand(rowLabelled(page, 'Workflow answer,'));
      await expand(rowLabelled(page, 'answer v1,'));
      await addToBaselines(page, /✓ .* · live/, 'answer');
      const folder = path.join(workspace, '.lockstep/baselines/answer');
      const files = readdirSync(folder).filter((name) => name.endsWith('.json'));
      assert.equal(files.length, 1, 'one baseline file');
      assert.ok(readFileSync(path.join(folder, files[0]!), 'utf8').includes(recorded));
      firstBaseline = files[0]!;
      await screenshot(page, '29-add-baseline-added');

      await page
        .locator('.notifications-toasts .monaco-button', { hasText: 'Show in Testing' })
        .click();
      await waitFor('the baseline in the Testing view', async () => {
        await expandTestingRow(page, 'answer');
        const rows = await sidebarRows(page);
        return rows.some((t) => t.startsWith('answer')) &&
          rows.some((t) => t.includes(`run ${recorded.slice(0, 13)} · v1`))
          ? true
          : undefined;
      }).catch(async (error: unknown) => {
        throw new Error(`${String(error)}; rows: ${(await sidebarRows(page)).join(' | ')}`);
      });
      await screenshot(page, '29-add-baseline');
    },
  );

  scenario(
    'a baseline fails after an edit with its diff at the step, and passes after Accept as New Baseline',
    '30-baseline-test',
    async () => {
      assert.ok(recorded, 'scenario 29 ran');
      const passes = async (): Promise<void> => {
        await runCommand(page, 'Test: Run All Tests');
        await waitFor('the baseline to pass', async () =>
          (await testState(page, 'answer')) === 'passed' ? true : undefined,
        ).catch((error: unknown) => {
          throw new Error(
            `${String(error)}; the Testing view's rows: ${lastTestingLabels().join(' | ')}`,
          );
        });
      };
      await passes();

      // The edit changes the answer's shape: the output no longer matches the baseline's.
      const file = path.join(workspace, 'answer.workflow.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          '$trim(steps.ask.output)',
          '$uppercase($trim(steps.ask.output))',
        ),
      );
      await openFile(page, 'answer.workflow.yaml');
      const calls = model.authorizations.length;
      await runCommand(page, 'Test: Run All Tests');
      await waitFor('the baseline to fail', async () =>
        (await testState(page, 'answer')) === 'failed' ? true : undefined,
      ).catch((error: unknown) => {
        throw new Error(
          `${String(error)}; the Testing view's rows: ${lastTestingLabels().join(' | ')}`,
        );
      });
      assert.equal(model.authorizations.length, calls, 'answered from the recording');
      // The failure opens at the changed step's lines with the recorded and replayed outputs.
      // The failure is shown on the changed step (`- id: tidy`, line 16); clicking it opens the
      // peek with the outputs' diff.
      const inline = page.locator('.editor-instance .test-error-content-widget').first();
      await inline.waitFor({ timeout: SERVER_TIMEOUT });
      const tidy = page.locator('.editor-instance .view-line', { hasText: 'id: tidy' }).first();
      const [at, step] = [await inline.boundingBox(), await tidy.boundingBox()];
      assert.ok(at && step && Math.abs(at.y - step.y) < step.height, 'the failure is on the step');
      await inline.click();
      const peek = page.locator('.monaco-editor .peekview-widget');
      await peek.first().waitFor({ timeout: SERVER_TIMEOUT });
      await waitFor('the diff of the outputs in the peek', async () => {
        const text = (
          await peek
            .first()
            .innerText()
            .catch(() => '')
        ).replace(/\u00a0/g, ' ');
        return text.includes(ANSWER) && text.includes(ANSWER.toUpperCase()) ? text : undefined;
      });
      await screenshot(page, '30-baseline-test-failed');

      await acceptFromPeek(page);
      await waitFor('the baseline file replaced by the replay', async () => {
        const files = readdirSync(path.join(workspace, '.lockstep/baselines/answer'));
        return files.length === 1 && files[0] !== firstBaseline ? true : undefined;
      }).catch(async (error: unknown) => {
        throw new Error(
          `${String(error)}; the log: ${(await lockstepLog(userDataDir)).slice(-1500)}`,
        );
      });
      await passes();
      await screenshot(page, '30-baseline-test-accepted');
    },
  );

  scenario(
    'Replay… from run details and from the runner',
    '31-replay-from-details-and-runner',
    async () => {
      await runCommand(page, 'Lockstep: Focus on History View');
      // History was hidden by the Testing view as the last scenario's runs refreshed it: its open
      // rows may show closed (see whileOpen), and are opened again. It refreshes as runs land: a
      // click on a row being replaced is tried again.
      const details = await whileOpen(
        page,
        ['Workflow answer,', 'answer v1,'],
        'the run details',
        async () => {
          const run = sidebarRow(page, /✓ .* · live/).first();
          if (!(await run.isVisible().catch(() => false))) return undefined;
          // A row closed or replaced under the pointer: open it again and click again.
          if (
            !(await run.click({ timeout: 2_000 }).then(
              () => true,
              () => false,
            ))
          )
            return undefined;
          return pollUntil(
            async () => {
              for (const frame of page.frames()) {
                if (
                  (await frame
                    .locator('#run-output')
                    .count()
                    .catch(() => 0)) > 0
                )
                  return frame;
              }
              return undefined;
            },
            { timeoutMs: 5_000, intervalMs: 200, what: 'the run details page' },
          ).catch(() => undefined);
        },
        60_000,
      );
      await details.locator('button', { hasText: 'Replay…' }).click();
      await pickItem(page, 'Replay Exactly');
      await waitFor('the exact replay verified', () => comparisonSummary(page, /^Verified/));
      await screenshot(page, '31-replay-from-details');

      // The Runner runs the working copy; then a step is edited, and the run replayed against it.
      await openFile(page, 'answer.workflow.yaml');
      const runner = await focusRunner(page);
      await runner.locator('#run').click();
      await waitFor('the runner’s run to end', async () =>
        (await runner
          .locator('#replay')
          .isVisible()
          .catch(() => false))
          ? true
          : undefined,
      );
      const file = path.join(workspace, 'answer.workflow.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('$uppercase(', '$lowercase('));
      await runner.locator('#replay').click();
      await pickItem(page, 'Replay Against Working Copy');
      await pickItem(page, 'As configured');
      await waitFor('the comparison: only the edited step changed', () =>
        comparisonSummary(page, /^1 of 2 steps differ, first at tidy; the output changed/),
      );
      await screenshot(page, '31-replay-from-runner');
    },
  );
});

/** Clicks Accept as New Baseline: the button over the failure's diff in the peek. */
async function acceptFromPeek(page: Page): Promise<void> {
  const button = page.getByText('Accept as New Baseline', { exact: true }).first();
  await button.waitFor({ timeout: SERVER_TIMEOUT });
  await button.click();
}
