/**
 * `lockstep-run:` URIs name one recorded value of a run, read-only: a step's input or output, or
 * one of its effects' request or response. The path is the tab's title (`0193a1b2 classify
 * output.json`: the `.json` ending also gives the document its language); the query says which
 * folder's store holds the run and which value it is. Building and parsing are pure (no `vscode`),
 * so unit tests check them without an editor.
 */

/** The URI scheme of recorded values. */
export const RUN_VALUE_SCHEME = 'lockstep-run';

/** Which value of a step: its input or output, or an effect's request or response. */
export type RunValuePart = 'input' | 'output' | 'effect-request' | 'effect-response';

const PARTS: readonly unknown[] = [
  'input',
  'output',
  'effect-request',
  'effect-response',
] satisfies readonly RunValuePart[];

/** Whether `value` names a part (for data from outside: a URI, a webview's message). */
export function isRunValuePart(value: unknown): value is RunValuePart {
  return PARTS.includes(value);
}

/** Whether `part` names an effect's value (and so needs the effect's index). */
export function isEffectPart(part: RunValuePart): boolean {
  return part === 'effect-request' || part === 'effect-response';
}

/** What a run value URI names. */
export interface RunValueRef {
  /** The workspace folder whose store holds the run (its URI, as a string). */
  readonly folder: string;
  /** The run's id. */
  readonly run: string;
  /** The step's structural path (`classify`, `notes[intro]`); `''` for the run's own value. */
  readonly path: string;
  readonly part: RunValuePart;
  /** For an effect part: the effect's index among the step's effects (0-based). */
  readonly index?: number;
}

/**
 * The tab title of a value: `0193a1b2 classify output.json`, `0193a1b2 classify effect-request
 * 1.json` (effects counted from 1, as the run details list them).
 */
export function runValueTitle(ref: RunValueRef): string {
  // A slash would split the title into folders: the tab would show only the last part.
  const path = ref.path === '' ? 'run' : ref.path.replace(/[/\\]/g, '∕');
  const part = ref.index === undefined ? ref.part : `${ref.part} ${ref.index + 1}`;
  return `${ref.run.slice(0, 8)} ${path} ${part}.json`;
}

/**
 * The path and query of a value's URI.
 * @throws when an effect part has no index, or a step part has one (a programming error).
 */
export function runValueUriParts(ref: RunValueRef): { path: string; query: string } {
  if (isEffectPart(ref.part) !== (ref.index !== undefined)) {
    throw new Error(`run value ${ref.part}: an index is required for effects and only for them`);
  }
  const query = new URLSearchParams({
    folder: ref.folder,
    run: ref.run,
    path: ref.path,
    part: ref.part,
    ...(ref.index === undefined ? {} : { index: String(ref.index) }),
  });
  return { path: `/${runValueTitle(ref)}`, query: query.toString() };
}

/** What a run value URI's query names; undefined when it is not one of ours. */
export function parseRunValueQuery(query: string): RunValueRef | undefined {
  const params = new URLSearchParams(query);
  const folder = params.get('folder');
  const run = params.get('run');
  const path = params.get('path');
  const part = params.get('part');
  const index = params.get('index');
  if (!folder || !run || path === null || !isRunValuePart(part)) return undefined;
  // The run's own values are its input and output; effects belong to steps.
  if (path === '' && isEffectPart(part)) return undefined;
  const ref = { folder, run, path, part };
  if (!isEffectPart(ref.part)) return index === null ? ref : undefined;
  return index !== null && /^(0|[1-9][0-9]*)$/.test(index)
    ? { ...ref, index: Number(index) }
    : undefined;
}
