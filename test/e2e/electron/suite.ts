/**
 * Runs inside VS Code's extension host (started by run.ts): the language features through VS
 * Code's own API, on the workspace run.ts opened. A small runner instead of mocha: each check runs
 * in order, failures are collected, and `run` rejects when any failed, which fails the process.
 */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { BROKEN, positionOf } from '../scenario-files.js';

const DEADLINE_MS = 30_000;

/** Polls `check` until it returns a value, or fails naming `what` after DEADLINE_MS. */
async function waitFor<T>(what: string, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function fileUri(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'run.ts opens a folder');
  return vscode.Uri.joinPath(folder.uri, name);
}

async function open(name: string): Promise<vscode.TextDocument> {
  const document = await vscode.workspace.openTextDocument(fileUri(name));
  await vscode.window.showTextDocument(document);
  return document;
}

const at = (p: { line: number; column: number }) => new vscode.Position(p.line - 1, p.column - 1);

const checks: [string, () => Promise<void>][] = [
  [
    'workflow files get the Lockstep language and activate the extension',
    async () => {
      const document = await open(BROKEN.name);
      assert.equal(document.languageId, 'lockstep-workflow');
      const extension = vscode.extensions.getExtension('lockstep.lockstep');
      await waitFor('activation', async () => extension?.isActive || undefined);
    },
  ],
  [
    'a broken workflow has its errors at the right lines',
    async () => {
      const uri = fileUri(BROKEN.name);
      const diagnostics = await waitFor('3 diagnostics', async () => {
        const found = vscode.languages.getDiagnostics(uri);
        return found.length === 3 ? found : undefined;
      });
      const lines = diagnostics.map((d) => d.range.start.line + 1).sort((a, b) => a - b);
      const expected = ['fastest', 'steps.clasify', 'escalation'].map(
        (needle) => positionOf(BROKEN.text, needle).line,
      );
      assert.deepEqual(lines, expected);
    },
  ],
  [
    'completion inside ${{ }} offers the earlier step ids',
    async () => {
      const document = await open('support-triage.workflow.yaml');
      const position = at(positionOf(document.getText(), 'steps.classify.output.category', 6));
      const list = await waitFor('completions', async () => {
        const result = await vscode.commands.executeCommand<vscode.CompletionList>(
          'vscode.executeCompletionItemProvider',
          document.uri,
          position,
        );
        return result.items.length > 0 ? result : undefined;
      });
      const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
      assert.ok(labels.includes('classify') && labels.includes('paragraphs'), labels.join());
    },
  ],
  [
    'hover shows the schema documentation of a key',
    async () => {
      const document = await open('support-triage.workflow.yaml');
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        document.uri,
        at(positionOf(document.getText(), 'timeout:', 2)),
      );
      const text = hovers
        .flatMap((h) => h.contents)
        .map((c) => (typeof c === 'string' ? c : c.value))
        .join('\n');
      assert.match(text, /How long one attempt may take/);
    },
  ],
  [
    'go to definition lands on the step id',
    async () => {
      const document = await open('support-triage.workflow.yaml');
      const text = document.getText();
      const locations = await vscode.commands.executeCommand<
        (vscode.Location | vscode.LocationLink)[]
      >(
        'vscode.executeDefinitionProvider',
        document.uri,
        at(positionOf(text, 'steps.classify.output.category', 8)),
      );
      const first = locations[0];
      assert.ok(first);
      const range = 'targetRange' in first ? first.targetRange : first.range;
      assert.equal(range.start.line + 1, positionOf(text, '- id: classify').line);
    },
  ],
];

/** Called by VS Code's test runner inside the extension host. */
export async function run(): Promise<void> {
  let failed = 0;
  for (const [name, check] of checks) {
    try {
      await check();
      console.log(`✔ ${name}`);
    } catch (error) {
      failed++;
      console.error(`✖ ${name}\n${error instanceof Error ? error.stack : String(error)}`);
    }
  }
  console.log(`${checks.length - failed} passed, ${failed} failed`);
  if (failed > 0) throw new Error(`${failed} of ${checks.length} checks failed`);
}
