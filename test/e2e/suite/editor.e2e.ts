/**
 * The extension in a real VS Code, offline: code-server 4.100.3 with the packaged .vsix installed,
 * driven from Debian's Chromium. Each scenario checks what a user sees and saves a screenshot
 * under test/e2e/screenshots/. Run with `npm run test:e2e` after `bash test/e2e/setup.sh`.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe } from 'node:test';
import type { Page } from 'playwright-core';
import { REPO_ROOT } from '../../helpers/paths.js';
import type { RunningCodeServer } from '../code-server.js';
import {
  Cleanups,
  cli,
  holdingServer,
  lockstepLog,
  processesMentioning,
  profileRoot,
  runsBackToBack,
  scenarios,
  startEditor,
} from './harness.js';
import {
  SERVER_TIMEOUT,
  answerInput,
  contextMenu,
  codeLenses,
  cursor,
  collapse,
  expand,
  rowLabelled,
  sidebarRows,
  editorText,
  lockstepStatusText,
  pickItem,
  save,
  typeAt,
  explorerItem,
  goTo,
  goToDefinition,
  hoverText,
  languageMode,
  openFile,
  openWorkbench,
  problems,
  runCommand,
  screenshot,
  squiggleLines,
  suggestions,
  waitFor,
  whileOpen,
  webviewFrame,
  type Problem,
} from './workbench.js';
import {
  BROKEN,
  COMPOSE,
  ESCALATION,
  FAILING,
  GREETING,
  positionOf,
  slowWorkflow,
} from '../scenario-files.js';
import { createWorkspace } from '../workspace.js';

const TRIAGE = 'support-triage.workflow.yaml';

describe('the extension in code-server', { timeout: 15 * 60_000 }, () => {
  const cleanups = new Cleanups();
  let page: Page;
  /** A second window a scenario opened: where a failure screenshot is taken instead of `page`. */
  let otherPage: Page | undefined;
  const scenario = scenarios(
    () => otherPage ?? page,
    () => userDataDir,
  );
  let workspace: string;
  let server: RunningCodeServer;
  let userDataDir: string;
  /** The restarted workspace service's resident memory (scenario 15), for the benchmark page. */
  let serviceRssBytes: number | null = null;

  before(async () => {
    const root = await profileRoot(cleanups, 'lockstep-e2e-');
    workspace = createWorkspace();
    cleanups.push(() => rmSync(workspace, { recursive: true, force: true }));
    const editor = await startEditor(root, cleanups);
    ({ page, server, userDataDir } = editor);
    await openWorkbench(page, server.folderUrl(workspace), TRIAGE);
  });

  after(() => cleanups.run());

  scenario(
    'shows a broken workflow’s errors as squiggles and in the Problems panel',
    '1-diagnostics',
    async () => {
      await openFile(page, BROKEN.name);
      assert.equal(await languageMode(page), 'Lockstep Workflow');
      const expected = [
        { ...positionOf(BROKEN.text, 'fastest'), says: "unknown model 'fastest'" },
        { ...positionOf(BROKEN.text, 'steps.clasify'), says: "unknown step 'clasify'" },
        { ...positionOf(BROKEN.text, 'escalation'), says: "no workflow named 'escalation'" },
      ];
      const lines = expected.map((e) => e.line);
      await waitFor(`squiggles on lines ${lines.join(', ')}`, async () =>
        sameNumbers(await squiggleLines(page), lines),
      );

      await page.keyboard.press('Control+Shift+M'); // View: Toggle Problems
      await page.locator('.markers-panel').waitFor();
      const listed = await waitFor(
        `the Problems panel listing ${BROKEN.name}'s 3 errors`,
        async () => {
          const found = forFile(await problems(page), BROKEN.name);
          return found.length === expected.length ? found : undefined;
        },
      );
      for (const problem of expected) {
        const row = listed.find((p) => p.line === problem.line && p.column === problem.column);
        assert.ok(
          row,
          `no problem at ${problem.line}:${problem.column} in ${JSON.stringify(listed)}`,
        );
        assert.ok(row.message.includes(problem.says), row.message);
      }
      await screenshot(page, '1-diagnostics');
    },
  );

  scenario(
    're-checks open files when a workflow file appears on disk',
    '2-file-watching',
    async () => {
      // BROKEN calls `escalation`, which does not exist yet: write it behind the editor's back.
      writeFileSync(path.join(workspace, ESCALATION.name), ESCALATION.text);
      const remaining = await waitFor('the unknown-workflow error to go away', async () => {
        const found = forFile(await problems(page), BROKEN.name);
        return found.length === 2 ? found : undefined;
      });
      assert.ok(remaining.every((p) => !p.message.includes('escalation')));
      assert.ok(!(await squiggleLines(page)).includes(positionOf(BROKEN.text, 'escalation').line));
      await screenshot(page, '2-file-watching');
    },
  );

  scenario('offers the earlier steps’ ids inside ${{ }}', '3-completion', async () => {
    await openFile(page, COMPOSE.name);
    // In the last step, replace `inputs.topic` with `steps.` as a user would type it.
    await goTo(page, positionOf(COMPOSE.text, 'inputs.topic', 0, -1));
    for (let i = 0; i < 'inputs.topic'.length; i++) await page.keyboard.press('Delete');
    await page.keyboard.type('steps.');
    const offered = await waitFor('step ids in the suggestion list', async () => {
      const labels = await suggestions(page);
      return labels.includes('outline') ? labels : undefined;
    });
    assert.ok(offered.includes('draft'), offered.join(', '));
    assert.ok(!offered.includes('review'), 'a step cannot read itself');
    await screenshot(page, '3-completion');
    await page.keyboard.press('Escape');
  });

  scenario('shows the schema’s documentation on hover', '4-hover', async () => {
    await openFile(page, TRIAGE);
    // The lenses move the lines when they appear, which closes an open hover: let them come first.
    await waitFor('the lenses above the workflow', async () =>
      (await codeLenses(page)).length > 0 ? true : undefined,
    );
    const text = readFileSync(path.join(workspace, TRIAGE), 'utf8');
    await goTo(page, positionOf(text, 'timeout:', 2));
    const documentation = await stepTimeoutDescription();
    let polls = 0;
    const shown = await waitFor('the hover', async () => {
      const hover = await hoverText(page);
      if (hover === undefined && polls++ % 30 === 0) {
        await page.keyboard.press('Control+K');
        await page.keyboard.press('Control+I'); // Show or Focus Hover
      }
      return hover;
    });
    assert.ok(shown.includes(documentation), `hover: ${shown}`);
    await screenshot(page, '4-hover');
    await page.keyboard.press('Escape');
  });

  scenario('goes to the step’s id from a reference', '5-definition', async () => {
    const text = readFileSync(path.join(workspace, TRIAGE), 'utf8');
    await goTo(page, positionOf(text, 'steps.classify.output.category', 8));
    await goToDefinition(page, positionOf(text, '- id: classify', '- id: '.length));
    await screenshot(page, '5-definition');
  });

  scenario('highlights ${{ }} expressions with the injected grammar', '6-grammar', async () => {
    const text = readFileSync(path.join(workspace, TRIAGE), 'utf8');
    await goTo(page, positionOf(text, '${{ secrets.OPENAI_API_KEY', 1));
    await runCommand(page, 'Developer: Inspect Editor Tokens and Scopes');
    const widget = page.locator('.token-inspect-widget');
    await waitFor('the token inspector on ${{', async () =>
      (await widget.innerText().catch(() => '')).includes(
        'punctuation.definition.expression.begin.lockstep',
      ),
    );
    assert.match(await widget.innerText(), /source\.lockstep-workflow/);
    await screenshot(page, '6-grammar');
    await page.keyboard.press('Escape');
  });

  scenario('logs to the Lockstep output channel, opened by its command', '7-output', async () => {
    await runCommand(page, 'Lockstep: Show Output');
    const output = page.locator('.part.panel .view-lines').first();
    await waitFor('the language server’s start in the Lockstep channel', async () =>
      // Monaco renders spaces as no-break spaces: compare with whitespace normalised.
      (await output.innerText().catch(() => ''))
        .replace(/\s+/g, ' ')
        .includes('[info] language server ready in'),
    );
    await screenshot(page, '7-output');
  });

  scenario(
    'saving a valid workflow makes a version; an unchanged save makes none',
    '9-snapshot-on-save',
    async () => {
      await openFile(page, GREETING.name);
      await waitFor('the status bar to show the file is not a version yet', async () =>
        (await lockstepStatusText(page)) === 'not snapshotted' ? true : undefined,
      );
      await typeAt(page, positionOf(GREETING.text, 'Hello', 5), ' there');
      await save(page);
      const snapshot = await waitFor('a snapshot in the store and in the status bar', async () => {
        const text = await lockstepStatusText(page);
        return snapshots(workspace, 'greeting').length === 1 && /^snapshot [0-9a-f]{8}$/.test(text)
          ? text
          : undefined;
      });
      const [id] = snapshots(workspace, 'greeting');
      assert.ok(snapshot.endsWith(id!.slice(0, 8)), `${snapshot} names ${id}`);
      await screenshot(page, '9-snapshot-on-save');

      // A comment changes the text, not the definition: same content id, no new version.
      await typeAt(page, { line: 1, column: 'name: greeting'.length + 1 }, ' # says hello');
      await save(page);
      await waitFor('the save to be handled', async () =>
        (await lockstepLog(userDataDir)).includes('same content as before, no new version'),
      );
      assert.deepEqual(snapshots(workspace, 'greeting'), [id]);
      // The log line comes first; the status bar follows once it has asked for the version.
      await waitFor(`the status bar to name ${snapshot} again`, async () =>
        (await lockstepStatusText(page)) === snapshot ? true : undefined,
      );
    },
  );

  scenario(
    'an invalid save makes no version, and the status bar says why',
    '10-invalid-save',
    async () => {
      const before = snapshots(workspace, 'greeting');
      // `inputs.whom` is not an input: one error.
      const text = await editorText(page);
      await typeAt(page, positionOf(text, 'inputs.who', 'inputs.who'.length), 'm');
      await save(page);
      await waitFor('the status bar to say the file is not snapshotted, and why', async () =>
        (await lockstepStatusText(page)) === 'not snapshotted: 1 error' ? true : undefined,
      );
      await waitFor('the refused snapshot in the log', async () =>
        (await lockstepLog(userDataDir)).includes('not snapshotted:'),
      );
      assert.deepEqual(snapshots(workspace, 'greeting'), before);
      await screenshot(page, '10-invalid-save');
      await page.keyboard.press('Backspace');
      await save(page);
      await waitFor('the status bar to show the snapshot again', async () =>
        /^snapshot /.test(await lockstepStatusText(page)) ? true : undefined,
      );
    },
  );

  scenario('publishes with a message: v1 in the status bar', '11-publish', async () => {
    await runCommand(page, 'Lockstep: Publish Version…');
    await answerInput(page, 'Say hello there');
    await waitFor('v1 in the status bar', async () =>
      (await lockstepStatusText(page)) === 'v1' ? true : undefined,
    );
    const log = readFileSync(path.join(workspace, '.lockstep/control.jsonl'), 'utf8');
    assert.match(log, /"message":"Say hello there"/);
    await screenshot(page, '11-publish');
  });

  scenario('compares the working copy with v1 in the diff editor', '12-compare', async () => {
    const text = await editorText(page);
    await typeAt(page, positionOf(text, 'Hello', 0), 'Well, ');
    await save(page);
    await waitFor('the new content as a snapshot', async () =>
      /^snapshot /.test(await lockstepStatusText(page)) ? true : undefined,
    );
    await runCommand(page, 'Lockstep: Compare with Version…');
    await pickItem(page, 'v1');
    const tab = page.locator('.tab.active', { hasText: 'greeting v1 ↔ working copy' });
    await tab.waitFor({ timeout: SERVER_TIMEOUT });
    const diff = page.locator('.monaco-diff-editor');
    await diff.first().waitFor();
    await waitFor('the changed line marked in the diff', async () =>
      (await diff.first().locator('.line-insert, .char-insert').count()) > 0 ? true : undefined,
    );
    await screenshot(page, '12-compare');
    await page.keyboard.press('Control+W');
  });

  scenario('restores v1 into the working copy, and Undo takes it back', '13-restore', async () => {
    await openFile(page, GREETING.name);
    const edited = await editorText(page);
    assert.ok(edited.includes('Well, Hello there'), edited);
    await runCommand(page, 'Lockstep: Restore Version to Working Copy');
    await pickItem(page, 'v1');
    await waitFor('v1’s text in the editor', async () => {
      const text = await editorText(page);
      return text.includes('"Hello there, "') && !text.includes('Well, ') ? true : undefined;
    });
    await page.locator('.tab.active.dirty').waitFor({ timeout: SERVER_TIMEOUT });
    assert.ok(
      readFileSync(path.join(workspace, GREETING.name), 'utf8').includes('Well, '),
      'not written behind the editor’s back',
    );
    await screenshot(page, '13-restore');
    await page.keyboard.press('Control+Z');
    await waitFor('the edit undone', async () =>
      (await editorText(page)).includes('Well, Hello there') ? true : undefined,
    );
    await page.locator('.tab.active.dirty').waitFor({ state: 'detached' });
  });

  scenario('sees what the CLI writes while the window is open', '14-cli-writes', async () => {
    // The status bar follows the undo that ended the last scenario a moment later.
    await waitFor('the status bar on the saved snapshot', async () =>
      /^snapshot /.test(await lockstepStatusText(page)) ? true : undefined,
    );
    const published = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'dist/cli.js'), 'publish', GREETING.name, '-m', 'From a terminal'],
      { cwd: workspace, encoding: 'utf8' },
    );
    assert.equal(published.status, 0, published.stderr);
    await waitFor('v2 in the status bar, with no refresh', async () =>
      (await lockstepStatusText(page)) === 'v2' ? true : undefined,
    );
    await screenshot(page, '14-cli-writes');
  });

  scenario(
    'a killed workspace service is restarted, and the UI says so',
    '15-service-restart',
    async () => {
      const [pid] = serviceProcesses(workspace);
      assert.ok(pid, 'the workspace service runs');
      process.kill(pid, 'SIGKILL');
      await waitFor('the restart in the log', async () => {
        const log = await lockstepLog(userDataDir);
        return log.includes('stopped (SIGKILL)') ? true : undefined;
      });
      const [next] = await waitFor('a new service process', async () => {
        const pids = serviceProcesses(workspace).filter((p) => p !== pid);
        return pids.length > 0 ? pids : undefined;
      });
      assert.notEqual(next, pid);
      await waitFor('the status bar back to v2', async () =>
        (await lockstepStatusText(page)) === 'v2' ? true : undefined,
      );
      const log = await lockstepLog(userDataDir);
      assert.ok((log.match(/workspace service for .* ready in/g) ?? []).length >= 2, log);
      await screenshot(page, '15-service-restart');
      serviceRssBytes = residentBytes(next!);
    },
  );

  scenario(
    'History shows the workflows, versions and runs of a store filled by the CLI',
    '16-history',
    async () => {
      cli(workspace, 'publish', TRIAGE, '-m', 'Triage v1');
      for (let i = 0; i < 2; i++) {
        cli(
          workspace,
          'run',
          TRIAGE,
          '--fixtures',
          'fixtures.yaml',
          '--input-file',
          'inputs/ticket.json',
        );
      }
      cli(workspace, 'publish', FAILING.name, '-m', 'Failing v1');
      cli(workspace, 'run', FAILING.name, { exit: 1 });
      await runCommand(page, 'Lockstep: Focus on History View');
      await expand(rowLabelled(page, 'Workflow support-triage,'));
      await expand(rowLabelled(page, 'support-triage v1,'));
      const rows = await waitFor('two scripted runs under v1', async () => {
        const texts = await sidebarRows(page);
        return texts.filter((t) => /✓ .* · scripted/.test(t)).length === 2 ? texts : undefined;
      });
      assert.ok(
        rows.some((t) => /^support-triage v1$/.test(t)),
        rows.join('\n'),
      );
      assert.ok(
        rows.some((t) => /^v1 .* · 2 runs$/.test(t)),
        rows.join('\n'),
      );
      assert.ok(
        rows.some((t) => /^failing v1$/.test(t)),
        rows.join('\n'),
      );
      await screenshot(page, '16-history');
    },
  );

  scenario('a row opened while runs keep arriving stays open', '46-history-open-rows', async () => {
    const runs = runsBackToBack(
      workspace,
      ['run', TRIAGE, '--fixtures', 'fixtures.yaml', '--input-file', 'inputs/ticket.json'],
      2,
    );
    cleanups.push(runs.stop);
    try {
      // Other rows open too, as while someone compares: each refresh reads them all again, and a
      // row opened meanwhile waits for that refresh to be drawn.
      await expand(rowLabelled(page, 'Workflow failing,'));
      await expand(rowLabelled(page, 'failing v1,'));
      await waitFor('runs arriving', async () => (runs.finished() >= 2 ? true : undefined));
      // Opened with one click each, as a person does, while History refreshes: each click lands
      // a little later into a refresh (Refresh History, then the row, timed in the page) so that
      // some land while it is under way. None may leave the row folded up.
      const rows = ['Workflow support-triage,', 'support-triage v1,'];
      for (let attempt = 1; attempt <= 30; attempt++) {
        const label = rows[attempt % 2]!;
        const row = rowLabelled(page, label);
        const delayMs = Math.floor(attempt / 2) * 8;
        await collapse(row);
        await page.evaluate(
          ({ label, delayMs }) => {
            const sidebar = document.querySelector('.part.sidebar')!;
            sidebar
              .querySelector<HTMLElement>('.action-label[aria-label="Refresh History"]')!
              .click();
            setTimeout(() => {
              sidebar
                .querySelector<HTMLElement>(`.monaco-list-row[aria-label^="${label}"]`)!
                .click();
            }, delayMs);
          },
          { label, delayMs },
        );
        await new Promise((resolve) => setTimeout(resolve, 800));
        await waitFor(
          `${label} open after it was opened ${delayMs} ms into a refresh (attempt ${attempt})`,
          async () => ((await row.getAttribute('aria-expanded')) === 'true' ? true : undefined),
          3_000,
        );
        // Its parent row was not closed either.
        if (label !== rows[0]) {
          assert.equal(await rowLabelled(page, rows[0]!).getAttribute('aria-expanded'), 'true');
        }
      }
      assert.ok(runs.finished() >= 4, `only ${runs.finished()} runs arrived`);
      // The rows opened at the start, never clicked since, are open too (a whole-tree refresh
      // once left every row closed here).
      for (const label of ['Workflow failing,', 'failing v1,']) {
        assert.equal(await rowLabelled(page, label).getAttribute('aria-expanded'), 'true', label);
      }
    } finally {
      await runs.stop();
    }
    await expand(rowLabelled(page, 'support-triage v1,'));
    await screenshot(page, '46-history-open-rows');
  });

  scenario(
    'a CLI run appears while History is open: first running, then finished',
    '17-history-live',
    async () => {
      const held = await holdingServer();
      cleanups.push(held.close);
      const slow = slowWorkflow(held.origin);
      writeFileSync(path.join(workspace, slow.name), slow.text);
      cli(workspace, 'publish', slow.name, '-m', 'Slow v1');
      const run = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/cli.js'), 'run', slow.name], {
        cwd: workspace,
        stdio: 'ignore',
      });
      const finished = new Promise<number | null>((resolve) => run.once('exit', resolve));
      cleanups.push(() => {
        if (run.exitCode === null) run.kill('SIGKILL');
      });
      const slowRows = ['Workflow slow,', 'slow v1,'];
      await expand(rowLabelled(page, slowRows[0]!));
      await expand(rowLabelled(page, slowRows[1]!));
      // History refreshes with every event the run writes: rows closed by a refresh are reopened.
      await whileOpen(page, slowRows, 'the run shown as running, on its step', async () =>
        (await sidebarRows(page)).some((t) => /running .* · wait · live/.test(t))
          ? true
          : undefined,
      );
      await screenshot(page, '17-history-live-running');
      held.release();
      assert.equal(await finished, 0);
      await whileOpen(page, slowRows, 'the same run, finished', async () => {
        const texts = await sidebarRows(page);
        return texts.some((t) => /✓ .* · live/.test(t)) && !texts.some((t) => /running /.test(t))
          ? true
          : undefined;
      });
      await screenshot(page, '17-history-live');
    },
  );

  scenario('the filter narrows the runs', '18-history-filter', async () => {
    await expand(rowLabelled(page, 'Workflow failing,'));
    await expand(rowLabelled(page, 'failing v1,'));
    const runsShown = async (): Promise<string[]> =>
      (await sidebarRows(page)).filter(
        (t) => /^\S.* (✓|✗|running) /.test(t) || /· (live|scripted)$/.test(t),
      );
    await waitFor('runs of several statuses', async () => {
      const runs = await runsShown();
      return runs.some((t) => t.includes('✗')) && runs.some((t) => t.includes('✓'))
        ? true
        : undefined;
    });
    await runCommand(page, 'Lockstep: Filter Runs…');
    await pickItem(page, 'failed');
    await page.keyboard.press('Enter');
    await waitFor('only failed runs listed', async () => {
      const runs = await runsShown();
      return runs.length > 0 && runs.every((t) => t.includes('✗')) ? true : undefined;
    });
    await screenshot(page, '18-history-filter');
    await runCommand(page, 'Lockstep: Clear Filter');
    await waitFor('every run again', async () =>
      (await runsShown()).some((t) => t.includes('✓')) ? true : undefined,
    );
  });

  scenario(
    'run details of a failed run open at the failed step; its id jumps to the definition',
    '19-run-details',
    async () => {
      await rowLabelled(page, 'failing v1 run').click();
      const tab = page.locator('.tab.active', { hasText: /^Run .* failing v1/ });
      await tab.waitFor({ timeout: SERVER_TIMEOUT });
      // The Runner's page is a webview too: the run details' page is the one with the step.
      const frame = await webviewFrame(page, 'li[data-path="explode"].open');
      const failed = frame.locator('li[data-path="explode"].open');
      assert.match(await failed.innerText(), /the ticket names no customer/);
      assert.equal(await frame.locator('li.open').count(), 1, 'only the failed step is open');
      await screenshot(page, '19-run-details');
      await failed.locator('button.step-id').first().click();
      await page
        .locator('.tab.active', { hasText: /^failing v1/ })
        .waitFor({ timeout: SERVER_TIMEOUT });
      const line = positionOf(FAILING.text, '- id: explode').line;
      await waitFor(`the cursor on the step's line ${line}`, async () =>
        (await cursor(page))?.line === line ? true : undefined,
      );
      await screenshot(page, '19-run-details-definition');
    },
  );

  scenario(
    'Compare with Selected on two versions opens the diff editor',
    '20-compare-selected',
    async () => {
      await runCommand(page, 'Lockstep: Focus on History View');
      await expand(rowLabelled(page, 'Workflow greeting,'));
      await contextMenu(page, rowLabelled(page, 'greeting v1,'), 'Select for Compare');
      await contextMenu(page, rowLabelled(page, 'greeting v2,'), 'Compare with Selected');
      await page
        .locator('.tab.active', { hasText: 'greeting v1 ↔ greeting v2' })
        .waitFor({ timeout: SERVER_TIMEOUT });
      await page.locator('.monaco-diff-editor').first().waitFor();
      await screenshot(page, '20-compare-selected');
    },
  );

  scenario('a multi-root workspace shows both stores', '21-multi-root', async () => {
    const roots = [createWorkspace(), createWorkspace()];
    for (const root of roots) cleanups.push(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(
      path.join(roots[1]!, 'only-here.workflow.yaml'),
      GREETING.text.replace('name: greeting', 'name: only-here'),
    );
    cli(roots[0]!, 'publish', TRIAGE, '-m', 'First root');
    cli(roots[1]!, 'publish', 'only-here.workflow.yaml', '-m', 'Second root');
    const file = path.join(path.dirname(roots[0]!), `${path.basename(roots[0]!)}.code-workspace`);
    writeFileSync(file, JSON.stringify({ folders: roots.map((r) => ({ path: r })) }));
    cleanups.push(() => rmSync(file, { force: true }));
    const multi = await page.context().newPage();
    otherPage = multi;
    await multi.goto(`${server.url}?workspace=${encodeURIComponent(file)}`);
    await multi.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    // The view container's icon in the activity bar, as a user opens it. A click toggles: it is
    // clicked again only when the side bar still does not show History a while later.
    const history = multi.locator('.part.sidebar .pane-header', { hasText: /^History/i }).first();
    await waitFor(
      'the Lockstep side bar',
      async () => {
        if (await history.isVisible()) return true;
        await multi.locator('.activitybar .action-item a[aria-label^="Lockstep"]').click();
        return history
          .waitFor({ timeout: 5_000 })
          .then(() => true as const)
          .catch(() => undefined);
      },
      60_000,
    );
    // A new window starts a workspace service per folder: on a busy machine that takes a while.
    await rowLabelled(multi, 'Folder ').waitFor({ timeout: 90_000 });
    // One folder at a time: the tree shows what fits, and two expanded folders of examples
    // do not fit.
    const [first, second] = roots.map((root) =>
      rowLabelled(multi, `Folder ${path.basename(root)}`),
    );
    await expand(first!);
    await waitFor('the first folder’s workflows', async () =>
      (await sidebarRows(multi)).some((t) => t.startsWith('support-triage v1')) ? true : undefined,
    );
    await collapse(first!);
    await expand(second!);
    await waitFor('the second folder’s own workflows', async () => {
      const texts = await sidebarRows(multi);
      return texts.some((t) => t.startsWith('only-here v1')) &&
        texts.some((t) => t.startsWith('support-triage'))
        ? true
        : undefined;
    });
    await screenshot(multi, '21-multi-root');
    await multi.close();
    otherPage = undefined;
  });

  scenario(
    'reloading the window activates Lockstep again (activation measured over five loads)',
    '45-activation',
    async () => {
      const activations = async (): Promise<number> =>
        (await lockstepLog(userDataDir)).match(/activated in [\d.]+ ms/g)?.length ?? 0;
      // One activation per window load: four reloads make five samples for the median.
      for (let reload = 0; reload < 4; reload++) {
        const before = await activations();
        await runCommand(page, 'Developer: Reload Window');
        await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
        await waitFor(
          'Lockstep activated again',
          async () => ((await activations()) > before ? true : undefined),
          60_000,
        );
      }
      // The extension works after the reloads: the status bar shows the open file's version
      // again. The restored layout may focus the empty editor group an earlier scenario left
      // beside the files: focus the first group, whose active editor is greeting.
      await runCommand(page, 'View: Focus First Editor Group');
      await page.locator('.tab.active', { hasText: GREETING.name }).first().waitFor();
      await waitFor('v2 in the status bar', async () =>
        (await lockstepStatusText(page)) === 'v2' ? true : undefined,
      );
      await screenshot(page, '45-activation');
      const log = await lockstepLog(userDataDir);
      assert.ok((await activations()) >= 5, log);
      writeEditorFigures(log, serviceRssBytes);
    },
  );

  scenario(
    'npm start serves examples/ with the extension when `code` is not used',
    '8-npm-start',
    async () => {
      const launcher = spawn(process.execPath, [path.join(REPO_ROOT, 'out/test/e2e/launch.js')], {
        env: { ...process.env, LOCKSTEP_EDITOR: 'code-server' },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let printed = '';
      launcher.stdout!.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => launcher.once('exit', resolve));
      cleanups.push(() => stopLauncher(launcher, exited, printed));

      const url = await waitFor(
        'the launcher to print the URL',
        async () => /http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+/.exec(printed)?.[0],
      );
      assert.match(url, /folder=.*examples/);
      const examplesPage = await page.context().newPage();
      otherPage = examplesPage;
      await openWorkbench(examplesPage, url, TRIAGE);
      await openFile(examplesPage, TRIAGE);
      await waitFor('the Lockstep Workflow language', async () =>
        (await languageMode(examplesPage)) === 'Lockstep Workflow' ? true : undefined,
      );
      await explorerItem(examplesPage, 'fixtures.yaml').waitFor();
      // The language server answers there too: go to a step's definition.
      const triage = readFileSync(path.join(REPO_ROOT, 'examples', TRIAGE), 'utf8');
      await goTo(examplesPage, positionOf(triage, 'steps.classify.output.category', 8));
      await goToDefinition(examplesPage, positionOf(triage, '- id: classify', '- id: '.length));
      await screenshot(examplesPage, '8-npm-start');
      await examplesPage.close();
      otherPage = undefined;

      // Ctrl-C stops it, with everything it started.
      launcher.kill('SIGINT');
      assert.equal(await exited, 0);
      assert.ok(!(await answers(url)), 'code-server still answers after Ctrl-C');
      const profileRoot = /lockstep-editor-[^/\s]+/.exec(printed)?.[0];
      assert.ok(profileRoot, 'the launcher prints its log file');
      assert.deepEqual(processesMentioning(profileRoot), []);
    },
  );
});

/** The schema's description of a step's `timeout`: what the hover must show. */
async function stepTimeoutDescription(): Promise<string> {
  const schema = JSON.parse(
    await readFile(path.join(REPO_ROOT, 'core/src/format/workflow.schema.json'), 'utf8'),
  ) as { definitions: { step: { properties: { timeout: { description: string } } } } };
  return schema.definitions.step.properties.timeout.description;
}

function forFile(found: Problem[], file: string): Problem[] {
  return found.filter((p) => p.file === file);
}

function sameNumbers(actual: number[], expected: number[]): boolean {
  return actual.length === expected.length && actual.every((n, i) => n === expected[i]);
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

/** After a failure: Ctrl-C the launcher, then kill by id whatever it left behind. */
async function stopLauncher(
  launcher: ChildProcess,
  exited: Promise<number | null>,
  printed: string,
): Promise<void> {
  if (launcher.exitCode === null) {
    launcher.kill('SIGINT');
    const timer = setTimeout(() => launcher.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  }
  const profileRoot = /lockstep-editor-[^/\s]+/.exec(printed)?.[0];
  if (profileRoot) for (const pid of processesMentioning(profileRoot)) process.kill(pid, 'SIGKILL');
}

/** The snapshot ids (hex) stored for `workflow` in the workspace's store. */
function snapshots(workspace: string, workflow: string): string[] {
  try {
    return readdirSync(path.join(workspace, '.lockstep/local/versions', workflow))
      .filter((f) => f.endsWith('.json') && !f.startsWith('.'))
      .map((f) => f.slice(0, -'.json'.length))
      .sort();
  } catch {
    return [];
  }
}

/** The workspace service processes serving `workspace`. */
function serviceProcesses(workspace: string): number[] {
  return processesMentioning('dist/service.js').filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(workspace);
    } catch {
      return false;
    }
  });
}

/** A process's resident memory, from /proc; null when it is gone. */
function residentBytes(pid: number): number | null {
  try {
    const rss = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return rss ? Number(rss[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/**
 * The editor's figures for `npm run bench`: each activation time the extension logged, and the
 * workspace service's memory, written to out/bench/editor.json.
 */
function writeEditorFigures(log: string, serviceRssBytes: number | null): void {
  const activations = [...log.matchAll(/activated in ([\d.]+) ms/g)].map((m) => Number(m[1]));
  const out = path.join(REPO_ROOT, 'out/bench');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, 'editor.json'),
    `${JSON.stringify(
      {
        at: new Date().toISOString(),
        activationMs: activations,
        serviceRssBytes,
      },
      null,
      2,
    )}\n`,
  );
}
