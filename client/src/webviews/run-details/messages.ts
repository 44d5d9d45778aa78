/**
 * The messages between the run details panel and its webview (media/run-details.js), one union
 * per direction. Pure (no `vscode`). What the webview sends is checked with `isFromWebview` before
 * it is used: a webview is a page, and its messages are data, not trusted calls.
 */
import { isRunValuePart, type RunValuePart } from '../../documents/run-value-uri.js';
import type { RunDetailsView } from './view-model.js';

/** Extension → webview. */
export type ToWebview =
  | { readonly type: 'render'; readonly view: RunDetailsView }
  /** Open a step's row and bring it into view (a step's CodeLens was clicked). */
  | { readonly type: 'reveal'; readonly path: string };

/** Webview → extension. */
export type FromWebview =
  /** The page has loaded (again, after being hidden): send the view. */
  | { readonly type: 'ready' }
  /** Open the run's version as a read-only document. */
  | { readonly type: 'openVersion' }
  /** Open the definition at the run's version, on the step's lines when `step` (an id) is given. */
  | { readonly type: 'openDefinition'; readonly step?: string }
  | { readonly type: 'copyRunId' }
  /** Replay the run: exactly, against the working copy or against a version (a quick pick). */
  | { readonly type: 'replay' }
  /** Keep the run as a regression baseline of its workflow. */
  | { readonly type: 'addBaseline' }
  /** Open one recorded value (a step's path and part) as a JSON document. */
  | {
      readonly type: 'openValue';
      readonly path: string;
      readonly part: RunValuePart;
      readonly index?: number;
    };

/** Whether `message` is one the webview may send, well formed. */
export function isFromWebview(message: unknown): message is FromWebview {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
    case 'openVersion':
    case 'copyRunId':
    case 'replay':
    case 'addBaseline':
      return true;
    case 'openDefinition':
      return m['step'] === undefined || typeof m['step'] === 'string';
    case 'openValue':
      return (
        typeof m['path'] === 'string' &&
        isRunValuePart(m['part']) &&
        (m['index'] === undefined || (Number.isInteger(m['index']) && (m['index'] as number) >= 0))
      );
    default:
      return false;
  }
}
