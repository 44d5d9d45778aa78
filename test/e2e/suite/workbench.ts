/**
 * What a user does in the VS Code workbench, as Playwright steps: open a file, move the cursor,
 * run a command, read the status bar, the Problems panel and the editor's squiggles. Every wait
 * has a deadline and polls a condition; nothing sleeps for a fixed time.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Frame, Locator, Page } from 'playwright-core';
import { pollUntil } from '../../helpers/store-wait.js';
import { E2E_DIR } from '../code-server.js';
import type { Position } from '../scenario-files.js';

/** Where each scenario's screenshot goes (git-ignored). */
export const SCREENSHOTS = path.join(E2E_DIR, 'screenshots');

/** Deadline for what the language server computes (it may still be starting). */
export const SERVER_TIMEOUT = 30_000;
/** Deadline for the workbench's own reactions (a widget opening). */
const UI_TIMEOUT = 10_000;

/** Polls `check` every 100 ms until it returns a value, or fails naming `what`. */
export function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = SERVER_TIMEOUT,
): Promise<T> {
  return pollUntil(check, { what, timeoutMs, intervalMs: 100 });
}

/** Loads the workbench at `url` and waits until it shows the folder's files. */
export async function openWorkbench(page: Page, url: string, expectFile: string): Promise<void> {
  await page.goto(url);
  await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
  await explorerItem(page, expectFile).waitFor({ timeout: 60_000 });
}

/** The Explorer's row for a file of the workspace root. */
export function explorerItem(page: Page, name: string): Locator {
  return page.locator(`.explorer-folders-view .monaco-list-row[aria-label="${name}"]`);
}

/** Opens a file of the workspace with Quick Open (Ctrl+P) and waits for its editor to have focus. */
export async function openFile(page: Page, name: string): Promise<void> {
  // Keys pressed while a webview (the Runner) has the focus reach its page first: give the
  // focus back to the workbench.
  await page.evaluate(() => {
    const active = document.activeElement;
    if (active instanceof HTMLIFrameElement) active.blur();
  });
  await page.keyboard.press('Control+P');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: UI_TIMEOUT });
  await input.fill(name);
  // Enter opens the highlighted row: wait until the list has caught up with the text (it first
  // shows the recently opened files, the active one on top).
  await page
    .locator('.quick-input-list .monaco-list-row.focused', { hasText: name })
    .first()
    .waitFor({ timeout: UI_TIMEOUT });
  await page.keyboard.press('Enter');
  await page
    .locator('.tab.active', { hasText: name })
    .waitFor({ timeout: UI_TIMEOUT })
    .catch(() => {
      throw new Error(`the editor for ${name} did not open`);
    });
  await page.locator('.editor-instance .monaco-editor.focused').waitFor({ timeout: UI_TIMEOUT });
}

/** Runs a command from the Command Palette by its label, e.g. "Lockstep: Show Output". */
export async function runCommand(page: Page, label: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: UI_TIMEOUT });
  await input.fill(`>${label}`);
  await page
    .locator('.quick-input-list .monaco-list-row', { hasText: label })
    .first()
    .waitFor({ timeout: UI_TIMEOUT });
  await page.keyboard.press('Enter');
  // The palette closes; a command that asks something opens its own quick pick in the same
  // widget, at once: either ends the palette (its text starts with '>').
  await pollUntil(
    async () => {
      if (!(await input.isVisible())) return true;
      const text = await input.inputValue({ timeout: 1_000 }).catch(() => '');
      return text.startsWith('>') ? undefined : true;
    },
    { timeoutMs: UI_TIMEOUT, intervalMs: 50, what: `the command palette to close after ${label}` },
  );
}

/** The cursor position from the status bar ("Ln 12, Col 5"), if shown. */
export async function cursor(page: Page): Promise<Position | undefined> {
  const text = await page
    .locator('[id="status.editor.selection"]')
    .textContent({ timeout: UI_TIMEOUT })
    .catch(() => null);
  const match = /Ln (\d+), Col (\d+)/.exec(text ?? '');
  return match ? { line: Number(match[1]), column: Number(match[2]) } : undefined;
}

/** Moves the cursor with Go to Line (Ctrl+G, `:line:column`) and waits until it is there. */
export async function goTo(page: Page, target: Position): Promise<void> {
  await page.keyboard.press('Control+G');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: UI_TIMEOUT });
  // Ctrl+G opens Quick Open in its go-to-line mode, whose prefix is ':'.
  await input.fill(`:${target.line}:${target.column}`);
  await page.keyboard.press('Enter');
  await waitFor(
    `the cursor at ${target.line}:${target.column}`,
    async () => {
      const at = await cursor(page);
      return at?.line === target.line && at.column === target.column;
    },
    UI_TIMEOUT,
  );
}

/**
 * Presses F12 (Go to Definition) with the cursor on a reference and waits until the cursor is at
 * `target`. F12 is pressed again every few seconds while the cursor has not moved: in a window
 * that has just opened, the language server may not have started yet, and F12 then does nothing
 * (a user would press it again too).
 */
export async function goToDefinition(page: Page, target: Position): Promise<void> {
  let pressedAt = 0;
  await waitFor(`the cursor on ${target.line}:${target.column} after F12`, async () => {
    const at = await cursor(page);
    if (at?.line === target.line && at.column === target.column) return true;
    if (Date.now() - pressedAt > 3_000) {
      pressedAt = Date.now();
      await page.keyboard.press('F12');
    }
    return undefined;
  });
}

/** The language mode shown in the status bar for the active editor ("Lockstep Workflow"). */
export async function languageMode(page: Page): Promise<string | null> {
  return page
    .locator('[id="status.editor.mode"]')
    .textContent({ timeout: UI_TIMEOUT })
    .catch(() => null);
}

/** One row of the Problems panel. */
export interface Problem {
  readonly file: string;
  readonly message: string;
  readonly line: number;
  readonly column: number;
}

/**
 * The problems the Problems panel lists (it must be open), with the file each is grouped under.
 * Rows are read from the DOM: file rows are level 1 of the tree, problems level 2.
 */
export async function problems(page: Page): Promise<Problem[]> {
  const rows = await page.locator('.markers-panel .monaco-list-row').evaluateAll((elements) =>
    elements.map((element) => ({
      level: element.getAttribute('aria-level'),
      label: element.getAttribute('aria-label') ?? '',
      text: (element as HTMLElement).innerText,
    })),
  );
  const found: Problem[] = [];
  let file = '';
  for (const row of rows) {
    if (row.level === '1') {
      file = row.text.split('\n')[0]!.trim();
      continue;
    }
    const at = /\[Ln (\d+), Col (\d+)\]/.exec(row.text);
    if (at) {
      found.push({
        file,
        message: row.text.split('\n')[0]!.trim(),
        line: Number(at[1]),
        column: Number(at[2]),
      });
    }
  }
  return found;
}

/**
 * The line numbers that carry an error squiggle in the visible part of the active editor: each
 * squiggle's line is found by its vertical position, matched against the line-number gutter.
 */
export async function squiggleLines(page: Page): Promise<number[]> {
  return page.locator('.editor-instance .monaco-editor').evaluate((editor) => {
    const tops = new Set<string>();
    for (const squiggle of editor.querySelectorAll('.view-overlays .squiggly-error')) {
      const line = squiggle.parentElement as HTMLElement | null;
      if (line) tops.add(line.style.top);
    }
    const lines: number[] = [];
    for (const gutter of editor.querySelectorAll<HTMLElement>('.margin-view-overlays > div')) {
      if (!tops.has(gutter.style.top)) continue;
      const number = gutter.querySelector('.line-numbers')?.textContent;
      if (number) lines.push(Number(number));
    }
    return lines.sort((a, b) => a - b);
  });
}

/** The labels of the open suggestion list (empty when it is not showing). */
export async function suggestions(page: Page): Promise<string[]> {
  const widget = page.locator('.editor-widget.suggest-widget.visible');
  if (!(await widget.isVisible())) return [];
  return widget
    .locator('.monaco-list-row .label-name')
    .evaluateAll((labels) => labels.map((label) => label.textContent?.trim() ?? ''));
}

/** The text of the hover widget, when one is showing. */
export async function hoverText(page: Page): Promise<string | undefined> {
  const hover = page.locator('.monaco-hover:not(.hidden) .monaco-hover-content');
  if ((await hover.count()) === 0 || !(await hover.first().isVisible())) return undefined;
  // The hover may close between the check and the read (a lens appearing moves the lines).
  const text = await hover
    .first()
    .innerText({ timeout: 1_000 })
    .catch(() => undefined);
  return text?.trim() || undefined;
}

/** The Lockstep status bar item (the version of the active workflow file). */
export function lockstepStatus(page: Page): Locator {
  return page.locator('.statusbar-item[id$="lockstep.version"]');
}

/** The Lockstep status bar item's text (its icon aside), or '' when it is hidden. */
export async function lockstepStatusText(page: Page): Promise<string> {
  const item = lockstepStatus(page);
  if ((await item.count()) === 0 || !(await item.first().isVisible())) return '';
  return (await item.first().innerText()).replace(/\s+/g, ' ').trim();
}

/** Saves the active editor (Ctrl+S) and waits until its tab is no longer marked dirty. */
export async function save(page: Page): Promise<void> {
  await page.keyboard.press('Control+S');
  await page.locator('.tab.active.dirty').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
}

/** Types `text` at `position` of the active editor. */
export async function typeAt(page: Page, position: Position, text: string): Promise<void> {
  await goTo(page, position);
  await page.keyboard.type(text);
}

/** Picks the row labelled `label` in the open quick pick. */
export async function pickItem(page: Page, label: string): Promise<void> {
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
  await row.waitFor({ timeout: SERVER_TIMEOUT });
  await row.click();
}

/** Types `text` into the open input box and presses Enter. */
export async function answerInput(page: Page, text: string): Promise<void> {
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: UI_TIMEOUT });
  await input.fill(text);
  await page.keyboard.press('Enter');
  await input.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

/** The text of the active editor's visible lines (whitespace as typed). */
export async function editorText(page: Page): Promise<string> {
  const lines = await page
    .locator('.editor-instance .monaco-editor .view-lines .view-line')
    .evaluateAll((elements) =>
      elements
        .map((element) => ({
          top: Number.parseFloat((element as HTMLElement).style.top),
          text: (element as HTMLElement).innerText,
        }))
        .sort((a, b) => a.top - b.top)
        .map((line) => line.text),
    );
  return lines.join('\n').replace(/\u00a0/g, ' ');
}

/** The sidebar's rows whose text contains `text` (trees in the side bar: History). */
export function sidebarRow(page: Page, text: string | RegExp): Locator {
  return page.locator('.part.sidebar .monaco-list-row', { hasText: text });
}

/** One row of the sidebar's tree: its place, its depth and its text (label and description). */
export interface TreeRow {
  readonly index: number;
  readonly level: number;
  readonly text: string;
}

/** The sidebar tree's rows, top to bottom (a virtual list's DOM order is not its order). */
export async function treeRows(page: Page): Promise<TreeRow[]> {
  const rows = await page.locator('.part.sidebar .monaco-list-row').evaluateAll((elements) =>
    elements.map((row) => {
      // The label and its description are separate elements with no space between them.
      const part = (selector: string): string =>
        row.querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim() ?? '';
      const label = part('.label-name');
      const description = part('.label-description');
      return {
        index: Number(row.getAttribute('data-index')),
        level: Number(row.getAttribute('aria-level') ?? '1'),
        text: label === '' ? part('.monaco-tl-contents') : `${label} ${description}`.trim(),
      };
    }),
  );
  return rows.sort((a, b) => a.index - b.index);
}

/** The texts of the sidebar tree's rows, top to bottom. */
export async function sidebarRows(page: Page): Promise<string[]> {
  return (await treeRows(page)).map((row) => row.text);
}

/** The sidebar row at a place of the tree. */
export function rowAt(page: Page, index: number): Locator {
  return page.locator(`.part.sidebar .monaco-list-row[data-index="${index}"]`);
}

/**
 * The tree row whose accessible label starts with `label` (History labels say whose row it is:
 * `support-triage v1, …`). Found by what it says, not by its place, which a refresh moves.
 */
export function rowLabelled(page: Page, label: string): Locator {
  return page.locator(`.part.sidebar .monaco-list-row[aria-label^="${label}"]`).first();
}

/** Expands a tree row (a click toggles: clicked again while it is not expanded). */
export async function expand(row: Locator): Promise<void> {
  await pollUntil(
    async () => {
      await row.waitFor({ timeout: SERVER_TIMEOUT });
      if ((await row.getAttribute('aria-expanded')) === 'true') return true;
      await row.click();
      // A row expands once its children have loaded, which a busy service may take seconds to
      // answer: clicking again before then would collapse it, so wait before trying again.
      return pollUntil(
        async () => ((await row.getAttribute('aria-expanded')) === 'true' ? true : undefined),
        { timeoutMs: 5_000, intervalMs: 200, what: 'the clicked row to expand' },
      ).catch(() => false);
    },
    { timeoutMs: SERVER_TIMEOUT, intervalMs: 500, what: 'the row to expand' },
  );
}

/**
 * Waits for `check` while keeping the tree rows labelled `path` (a row, then one of its children…)
 * open. VS Code can show a row that was just opened as closed again, with no close event and no
 * read of its children, when a refresh of the tree was under way as the row was opened or as the
 * view was hidden (seen in History's log, with the view's expand, collapse and refresh events
 * traced: a refresh fired 32 ms before the Testing view hid History, and once History showed
 * again its open rows were closed). A person opens such a row again; so does this.
 */
export async function whileOpen<T>(
  page: Page,
  path: readonly string[],
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = SERVER_TIMEOUT,
): Promise<T> {
  return waitFor(
    what,
    async () => {
      const result = await check();
      if (result !== undefined && result !== false) return result;
      for (const label of path) {
        const row = rowLabelled(page, label);
        if (!(await row.isVisible().catch(() => false))) break;
        if ((await row.getAttribute('aria-expanded').catch(() => null)) !== 'true') {
          await expand(row);
          break;
        }
      }
      return undefined;
    },
    timeoutMs,
  );
}

/** Collapses a tree row (a no-op when it is not expanded). */
export async function collapse(row: Locator): Promise<void> {
  await pollUntil(
    async () => {
      await row.waitFor({ timeout: SERVER_TIMEOUT });
      if ((await row.getAttribute('aria-expanded')) !== 'true') return true;
      await row.click();
      return pollUntil(
        async () => ((await row.getAttribute('aria-expanded')) === 'true' ? undefined : true),
        { timeoutMs: 2_000, intervalMs: 200, what: 'the clicked row to collapse' },
      ).catch(() => false);
    },
    { timeoutMs: SERVER_TIMEOUT, intervalMs: 500, what: 'the row to collapse' },
  );
}

/** The first child row matching `child` below the first row matching `parent`, if shown. */
export async function childRow(
  page: Page,
  parent: RegExp,
  child: RegExp,
): Promise<Locator | undefined> {
  const rows = await treeRows(page);
  const at = rows.findIndex((row) => parent.test(row.text));
  if (at === -1) return undefined;
  for (const row of rows.slice(at + 1)) {
    if (row.level <= rows[at]!.level) break;
    if (row.level === rows[at]!.level + 1 && child.test(row.text)) return rowAt(page, row.index);
  }
  return undefined;
}

/** Opens a row's context menu and picks `label`. */
export async function contextMenu(page: Page, row: Locator, label: string): Promise<void> {
  await row.click({ button: 'right' });
  const item = page.locator('.context-view .action-item', { hasText: label }).first();
  await item.waitFor({ timeout: UI_TIMEOUT });
  // As with the keyboard: the item highlighted, then Enter (a click can land while it animates).
  await item.hover();
  await page.keyboard.press('Enter');
  await page
    .locator('.context-view .monaco-menu')
    .waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
}

/** Saves a full-window screenshot as `<name>.png` under SCREENSHOTS; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  // Animations finished: a hover caught fading in was drawn half transparent over the code.
  await page.screenshot({ path: file, animations: 'disabled' });
  return file;
}

/**
 * The texts of the lenses the active editor shows, top to bottom (a lens with a command is a
 * link, one without is plain text; separators left out).
 */
export async function codeLenses(page: Page): Promise<string[]> {
  const lenses = await page
    .locator('.editor-instance .monaco-editor .codelens-decoration')
    .evaluateAll((decorations) =>
      decorations
        .map((decoration) => ({
          top: Number.parseFloat((decoration as HTMLElement).style.top || '0'),
          texts: Array.from(decoration.children)
            .map((child) => (child.textContent ?? '').replace(/\u00a0/g, ' ').trim())
            .filter((text) => text !== '' && text !== '|'),
        }))
        .sort((a, b) => a.top - b.top)
        .flatMap((decoration) => decoration.texts),
    );
  return lenses;
}

/** Clicks the active editor's lens whose text is `text` (or matches it). */
export async function clickLens(page: Page, text: string | RegExp): Promise<void> {
  const link = page
    .locator('.editor-instance .monaco-editor .codelens-decoration a', { hasText: text })
    .first();
  await link.waitFor({ timeout: SERVER_TIMEOUT });
  await link.click();
}

/**
 * The webview page (an iframe in an iframe) holding `selector`: the Runner view's (`#run`), a run
 * details panel's (`li[data-path="ask"]`). The view or panel must be open.
 */
export async function webviewFrame(page: Page, selector: string): Promise<Frame> {
  return waitFor(`a webview page with ${selector}`, () => frameWith(page, selector));
}

/**
 * The Runner view's page, found by its workflow picker, once something (a lens, a command) showed
 * the view. A page still missing after 10 s is a view left blank or unshown by a busy window:
 * it is shown again as {@link focusRunner} does, which keeps what the runner holds (its state
 * lives in the extension, not in the page).
 */
export async function runnerFrame(page: Page): Promise<Frame> {
  const shown = await pollUntil(() => frameWith(page, '#workflow'), {
    timeoutMs: 10_000,
    intervalMs: 200,
    what: 'the Runner page',
  }).catch(() => undefined);
  return shown ?? focusRunner(page);
}

/**
 * Clicks a lens that runs the workflow (`▶ Run`) and returns the Runner's page. Lenses are
 * redrawn as the workspace service answers; a click on one being replaced does nothing, so it is
 * clicked again when no Runner section has opened 10 s later.
 */
export async function runFromLens(page: Page, lens: string | RegExp): Promise<Frame> {
  await clickLens(page, lens);
  const section = page.locator('.part.sidebar .pane-header[aria-expanded="true"]', {
    hasText: /^Runner/i,
  });
  const opened = await section
    .first()
    .waitFor({ timeout: 10_000 })
    .then(() => true)
    .catch(() => false);
  if (!opened) await clickLens(page, lens);
  return runnerFrame(page);
}

/** The first frame of the page holding `selector`, if one does now. */
async function frameWith(page: Page, selector: string): Promise<Frame | undefined> {
  for (const frame of page.frames()) {
    const count = await frame
      .locator(selector)
      .count()
      .catch(() => 0);
    if (count > 0) return frame;
  }
  return undefined;
}

/** True when a comparison page's summary matches `summary` (`/^Verified/`); else undefined. */
export async function comparisonSummary(page: Page, summary: RegExp): Promise<true | undefined> {
  for (const frame of page.frames()) {
    // Not a locator: it would wait for a #summary the other pages never get.
    const text = await frame
      .evaluate(() => document.getElementById('summary')?.textContent ?? '')
      .catch(() => '');
    if (summary.test(text)) return true;
  }
  return undefined;
}

/**
 * Opens the Runner view and returns its page. Focusing it while the window is busy (a webview
 * tab opening, the side bar switching) can leave it unshown, so the command is tried again.
 */
export async function focusRunner(page: Page): Promise<Frame> {
  let tries = 0;
  return waitFor(
    'the Runner view',
    async () => {
      if (tries++ > 0) {
        // Shown but blank (a webview view restored while the window was busy): collapsing and
        // expanding the section loads its page again, as a user would do.
        const header = page.locator('.part.sidebar .pane-header', { hasText: /^Runner/i }).first();
        await header.click().catch(() => undefined);
        await header.click().catch(() => undefined);
      }
      await runCommand(page, 'Lockstep: Focus on Runner View');
      return pollUntil(() => frameWith(page, '#workflow'), {
        timeoutMs: 10_000,
        intervalMs: 200,
        what: 'the Runner page',
      }).catch(() => undefined);
    },
    60_000,
  );
}
