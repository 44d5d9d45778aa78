/**
 * The messages between the runner view and its page (media/runner.js), one union per direction.
 * Pure (no `vscode`). What the page sends is checked with `isFromRunner` before it is used: a
 * webview is a page, and its messages are data, not trusted calls.
 */
import type { RunnerView } from './view-model.js';

/** Extension → page. */
export type ToRunner =
  | { readonly type: 'render'; readonly view: RunnerView }
  /** Move the focus to a field (the first with an error), or to the Run button. */
  | { readonly type: 'focus'; readonly field?: string };

/** Page → extension. */
export type FromRunner =
  /** The page has loaded (again, after being hidden): send the view. */
  | { readonly type: 'ready' }
  | { readonly type: 'pickWorkflow'; readonly value: string }
  | { readonly type: 'pickTarget'; readonly value: string }
  | { readonly type: 'pickMode'; readonly value: 'live' | 'scripted' }
  /** Choose the fixtures file (a file dialog in the extension). */
  | { readonly type: 'chooseFixtures' }
  /** A field's text changed (sent as the user types, debounced). */
  | { readonly type: 'edit'; readonly field: string; readonly text: string }
  /** Fill the form with a past run's input. */
  | { readonly type: 'useRecent'; readonly run: string }
  /** Run with the form's texts (sent with them, so the last keystrokes are not lost). */
  | { readonly type: 'run'; readonly texts: Readonly<Record<string, string>> }
  | { readonly type: 'cancel' }
  /** Open the run's details (its tab). */
  | { readonly type: 'openDetails' }
  /** Replay the run the runner started (exactly, against the working copy or a version). */
  | { readonly type: 'replay' }
  /** The notice's button (set the missing secrets, then run again). */
  | { readonly type: 'noticeAction' };

/** Whether `message` is one the page may send, well formed. */
export function isFromRunner(message: unknown): message is FromRunner {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as Record<string, unknown>;
  switch (m['type']) {
    case 'ready':
    case 'chooseFixtures':
    case 'cancel':
    case 'openDetails':
    case 'replay':
    case 'noticeAction':
      return true;
    case 'pickWorkflow':
    case 'pickTarget':
      return typeof m['value'] === 'string';
    case 'pickMode':
      return m['value'] === 'live' || m['value'] === 'scripted';
    case 'edit':
      return typeof m['field'] === 'string' && typeof m['text'] === 'string';
    case 'useRecent':
      return typeof m['run'] === 'string';
    case 'run':
      return (
        typeof m['texts'] === 'object' &&
        m['texts'] !== null &&
        !Array.isArray(m['texts']) &&
        Object.values(m['texts'] as object).every((t) => typeof t === 'string')
      );
    default:
      return false;
  }
}
