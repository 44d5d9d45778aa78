/** Unknown step, input, model or workflow names: the diagnostic's "did you mean" name. */
import type { CodeAction, Diagnostic } from 'vscode-languageserver';
import { messageOf } from '../../analysis/diagnostic-message.js';
import type { FeatureContext } from '../../analysis/feature-context.js';
import { quickFix } from './quick-fix.js';

/** The codes whose messages name a wrong name and, when one is close, the right one. */
export const NAME_CODES = new Set([
  'unknown-step',
  'unknown-input',
  'unknown-model',
  'unknown-name',
  'unknown-workflow',
]);
const WRONG_NAME = /(?:unknown (?:step|input|model|name) |no workflow named )'([^']+)'/;
const SUGGESTION = /\(did you mean '([^']+)'\?\)/;

/** Replaces the wrong name inside the diagnostic's range; undefined without a suggestion. */
export function replaceName(
  context: FeatureContext,
  diagnostic: Diagnostic,
): CodeAction | undefined {
  const message = messageOf(diagnostic);
  const wrong = WRONG_NAME.exec(message)?.[1];
  const suggestion = SUGGESTION.exec(message)?.[1];
  if (wrong === undefined || suggestion === undefined) return undefined;
  const { document } = context.analysis;
  const start = document.offsetAt(diagnostic.range.start);
  // The range may cover more than the name (`steps.clasify.output`): replace only the name.
  const at = findWord(document.getText(diagnostic.range), wrong);
  if (at === -1) return undefined;
  const range = {
    start: document.positionAt(start + at),
    end: document.positionAt(start + at + wrong.length),
  };
  return quickFix(context, `Change '${wrong}' to '${suggestion}'`, diagnostic, [
    { range, newText: suggestion },
  ]);
}

/** The offset of `word` in `text` as a whole word (not part of a longer name), or -1. */
function findWord(text: string, word: string): number {
  for (let at = text.indexOf(word); at !== -1; at = text.indexOf(word, at + 1)) {
    const before = text[at - 1];
    const after = text[at + word.length];
    if (
      (before === undefined || !/[\w-]/.test(before)) &&
      (after === undefined || !/[\w-]/.test(after))
    ) {
      return at;
    }
  }
  return -1;
}
