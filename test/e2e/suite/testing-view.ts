/**
 * VS Code's Testing view as the suites read it: the baseline tests' rows (their labels carry the
 * state: "(Passed)", "(Failed)") under a workflow's row, expanded by its twistie; and Add to
 * Baselines, which puts a run there.
 */
import type { Page } from 'playwright-core';
import { SERVER_TIMEOUT, contextMenu, sidebarRow, waitFor } from './workbench.js';

/** The Testing view's row labels when last read (a failing wait's message shows them). */
let lastLabels: string[] = [];

/** The labels `testState` read last, for a failing wait's message. */
export function lastTestingLabels(): string[] {
  return lastLabels;
}

/**
 * The state the Testing view shows for the baseline tests under `workflow`: `passed` when all
 * passed, `failed` when any failed, undefined while they have no verdict (or are collapsed).
 */
export async function testState(page: Page, workflow: string): Promise<string | undefined> {
  const rows = page.locator('.part.sidebar .monaco-list-row');
  const labels = await rows.evaluateAll((elements) =>
    elements.map((row) => `${row.getAttribute('aria-level')}:${row.getAttribute('aria-label')}`),
  );
  lastLabels = labels;
  if (!labels.some((label) => label.startsWith('2:'))) {
    // The workflow's row, collapsed: its tests are its children.
    await expandTestingRow(page, workflow);
    return undefined;
  }
  const baselines = labels.filter((label) => label.startsWith('2:'));
  if (baselines.every((label) => /\(Passed\)/.test(label))) return 'passed';
  if (baselines.some((label) => /\(Failed\)/.test(label))) return 'failed';
  return undefined;
}

/** Expands a Testing view row by its twistie (a click on the label only selects it). */
export async function expandTestingRow(page: Page, label: string): Promise<void> {
  const row = page.locator(`.part.sidebar .monaco-list-row[aria-label^="${label}"]`).first();
  await waitFor(`the Testing view's ${label} row expanded`, async () => {
    if ((await row.getAttribute('aria-expanded').catch(() => null)) === 'true') return true;
    await row.locator('.monaco-tl-twistie').click();
    return undefined;
  });
}

/**
 * Add to Baselines from the context menu of the History row matching `run` (shown), tried again
 * until the notification says the run is a baseline of `workflow` (the menu item appears once the
 * row's details have loaded).
 */
export async function addToBaselines(page: Page, run: RegExp, workflow: string): Promise<void> {
  await waitFor(
    'Add to Baselines to be offered on the run',
    async () => {
      const row = sidebarRow(page, run).first();
      await row.waitFor({ timeout: SERVER_TIMEOUT });
      await contextMenu(page, row, 'Add to Baselines');
      return page
        .locator('.notifications-toasts', { hasText: `is now a baseline of ${workflow}` })
        .waitFor({ timeout: 5_000 })
        .then(() => true)
        .catch(() => undefined);
    },
    60_000,
  );
}
