/**
 * A run's recorded values as read-only JSON documents: a content provider for `lockstep-run:` URIs
 * (the value pretty-printed, read from the folder's workspace service), so a large input, output or
 * effect gets the editor's search, folding and copy instead of a preview in the run details.
 */
import * as vscode from 'vscode';
import { RunDetailsRequest, type RunDetails } from '../../../core/src/service/protocol.js';
import type { Context } from '../ctx.js';
import {
  parseRunValueQuery,
  RUN_VALUE_SCHEME,
  runValueUriParts,
  type RunValueRef,
} from './run-value-uri.js';

/**
 * The URI of a recorded value.
 * @throws when an effect part has no index, or a step part has one.
 */
export function runValueUri(ref: RunValueRef): vscode.Uri {
  const { path, query } = runValueUriParts(ref);
  return vscode.Uri.from({ scheme: RUN_VALUE_SCHEME, path, query });
}

/** What a run value URI names; undefined for any other URI. */
export function runValueRefOf(uri: vscode.Uri): RunValueRef | undefined {
  return uri.scheme === RUN_VALUE_SCHEME ? parseRunValueQuery(uri.query) : undefined;
}

/**
 * Registers the `lockstep-run:` content provider; the caller owns the returned registration.
 * A document whose run, step or value is gone fails to open with an error saying which.
 */
export function registerRunValues(ctx: Context): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(RUN_VALUE_SCHEME, {
    async provideTextDocumentContent(uri) {
      const ref = runValueRefOf(uri);
      if (!ref) throw new Error(`${uri.toString()} does not name a recorded value`);
      const client = ctx.services.forFolder(ref.folder);
      if (!client) throw new Error(`no workspace folder ${ref.folder} is open`);
      const details = await client.request(RunDetailsRequest, { id: ref.run });
      return JSON.stringify(recordedValue(details, ref), null, 2);
    },
  });
}

/** Opens a recorded value as a JSON document, not a preview, beside the run details. */
export async function showRunValue(ref: RunValueRef): Promise<void> {
  const document = await vscode.workspace.openTextDocument(runValueUri(ref));
  await vscode.languages.setTextDocumentLanguage(document, 'json');
  await vscode.window.showTextDocument(document, {
    preview: false,
    viewColumn: vscode.ViewColumn.Beside,
  });
}

/**
 * The value `ref` names in a run's details.
 * @throws when the step, the effect or the value is not in the record.
 */
function recordedValue(details: RunDetails, ref: RunValueRef): unknown {
  if (ref.path === '') {
    const value =
      ref.part === 'input' ? details.input : ref.part === 'output' ? details.output : undefined;
    if (value === undefined) throw new Error(`run ${ref.run} recorded no ${ref.part}`);
    return value;
  }
  const step = details.steps.find((s) => s.path === ref.path);
  if (!step) throw new Error(`run ${ref.run} has no step ${ref.path}`);
  let value: unknown;
  if (ref.part === 'input') value = step.input;
  else if (ref.part === 'output') value = step.output;
  else {
    const effect = step.effects[ref.index ?? -1];
    if (!effect) throw new Error(`step ${ref.path} of run ${ref.run} has no effect ${ref.index}`);
    // A failed effect has no response: its error is what it answered.
    value = ref.part === 'effect-request' ? effect.request : (effect.response ?? effect.error);
  }
  if (value === undefined) {
    throw new Error(`step ${ref.path} of run ${ref.run} recorded no ${ref.part.replace('-', ' ')}`);
  }
  return value;
}
