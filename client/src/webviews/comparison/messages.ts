/**
 * The messages between a comparison tab and its webview (media/comparison.js), one union per
 * direction. Pure (no `vscode`). What the webview sends is checked with `isFromComparison` before
 * it is used: its messages are data, not trusted calls.
 */
import type { ComparisonView } from './view-model.js';

/** Extension → webview. */
export type ToComparison = { readonly type: 'render'; readonly view: ComparisonView };

/** Webview → extension. */
export type FromComparison =
  /** The page has loaded (again, after being hidden): send the view. */
  | { readonly type: 'ready' }
  /** Open a step's two values (`output` or `input`) in VS Code's diff editor. */
  | { readonly type: 'openDiff'; readonly path: string; readonly part: 'input' | 'output' }
  /** Open the run's two outputs in the diff editor. */
  | { readonly type: 'openOutputDiff' }
  /** Open the diff of the two runs' definitions (their versions). */
  | { readonly type: 'openDefinitionDiff' }
  /** Open one side's run details (at a step, when given). */
  | { readonly type: 'openRun'; readonly side: 'left' | 'right'; readonly path?: string };

/** Whether `message` is one the comparison page may send, well formed. */
export function isFromComparison(message: unknown): message is FromComparison {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
    case 'openOutputDiff':
    case 'openDefinitionDiff':
      return true;
    case 'openDiff':
      return typeof m['path'] === 'string' && (m['part'] === 'input' || m['part'] === 'output');
    case 'openRun':
      return (
        (m['side'] === 'left' || m['side'] === 'right') &&
        (m['path'] === undefined || typeof m['path'] === 'string')
      );
    default:
      return false;
  }
}
