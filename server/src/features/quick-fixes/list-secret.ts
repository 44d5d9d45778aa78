/**
 * `secrets.NAME is not listed in .lockstep/config.yaml` → adds NAME to the config's `secrets`
 * (creating the file when there is none). The fix edits the settings a reviewer reads, which is
 * the point: a secret a workflow may read is a decision made in the open.
 */
import { pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  type CodeAction,
  type Diagnostic,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { isMap, isSeq, parseDocument } from 'yaml';
import type { FeatureContext } from '../../analysis/feature-context.js';
import { messageOf } from '../../analysis/diagnostic-message.js';

const UNLISTED = /secrets\.([A-Za-z_][A-Za-z0-9_]*) is not listed in \.lockstep\/config\.yaml/;

/** Lists the secret in the workspace's config; undefined when there is no store or it is odd. */
export function listSecret(
  context: FeatureContext,
  diagnostic: Diagnostic,
): CodeAction | undefined {
  const name = UNLISTED.exec(messageOf(diagnostic))?.[1];
  const file = context.scope.configFile;
  if (name === undefined || file === undefined) return undefined;
  const uri = pathToFileURL(file).href;
  const text = context.configText();
  const edit: WorkspaceEdit =
    text === undefined
      ? {
          documentChanges: [
            { kind: 'create', uri, options: { ignoreIfExists: true } },
            {
              textDocument: { uri, version: null },
              edits: [{ range: START, newText: `secrets:\n  - ${name}\n` }],
            },
          ],
        }
      : (() => {
          const updated = withSecret(text, name);
          return updated === undefined
            ? {}
            : { changes: { [uri]: [{ range: wholeText(text), newText: updated }] } };
        })();
  if (edit.changes === undefined && edit.documentChanges === undefined) return undefined;
  return {
    title: `List ${name} under secrets in .lockstep/config.yaml`,
    kind: CodeActionKind.QuickFix,
    diagnostics: [diagnostic],
    isPreferred: true,
    edit,
  };
}

const START = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** The config text with `name` added to `secrets` (comments kept); undefined if it cannot be. */
function withSecret(text: string, name: string): string | undefined {
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return undefined;
  if (doc.contents !== null && !isMap(doc.contents)) return undefined;
  const secrets = doc.get('secrets', true);
  if (secrets === undefined || secrets === null) doc.set('secrets', doc.createNode([name]));
  else if (isSeq(secrets)) secrets.add(doc.createNode(name));
  else if (isMap(secrets)) secrets.set(name, null);
  else return undefined;
  return doc.toString();
}

function wholeText(text: string): {
  start: { line: number; character: number };
  end: { line: number; character: number };
} {
  const lines = text.split('\n');
  return {
    start: { line: 0, character: 0 },
    end: { line: lines.length - 1, character: lines.at(-1)!.length },
  };
}
