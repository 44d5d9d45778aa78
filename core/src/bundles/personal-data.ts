/**
 * Personal data in exported runs. A redact path (`input.customer.email`, `output.reply`; a
 * JSONata path over the run's `input` and `output`, so `input.contacts.phone` reaches every
 * contact) names text that must not leave the store. Each value found there, in any run of the
 * bundle, is replaced wherever it appears in the bundle (prompts, step outputs, child runs; as
 * written, JSON-escaped, URL-encoded or base64, as secrets are) by a placeholder naming the path.
 * A replay then builds the same requests from the placeholder as the recording holds, so a
 * redacted run still replays exactly, unless a step transformed the value (upper-cased it, say).
 */
import jsonata from 'jsonata';
import { redactSecrets, requestKey } from '../engine/effects.js';
import { redactPathProblem } from '../expressions/redact-path.js';
import { UsageError } from '../model/errors.js';
import type { EffectRecord, RunRecord } from '../model/runs.js';
import type { JsonValue } from '../model/workflow.js';

/**
 * Values shorter than this are replaced only where a whole text equals them: replacing a
 * two-letter name inside every text would damage the bundle without protecting anyone.
 */
const SHORTEST_REPLACED_INSIDE = 3;

/** What a redacted value becomes. */
export function redactedPlaceholder(path: string): string {
  return `⟦redacted:${path}⟧`;
}

/** The values a set of redact paths find in a set of runs, to be replaced everywhere. */
export interface PersonalValues {
  /** Value → the path it was found at (the first one, when several find it). */
  readonly found: ReadonlyMap<string, string>;
}

/**
 * Evaluates every path over each run's input and output and collects the text found.
 * @throws UsageError for a path that is not one, or that leads to a number or a boolean (not
 *   text: it could not be replaced wherever it was copied, so it is refused rather than kept).
 */
export async function findPersonalValues(
  runs: readonly RunRecord[],
  paths: readonly string[],
): Promise<PersonalValues> {
  const found = new Map<string, string>();
  for (const path of paths) {
    const problem = redactPathProblem(path);
    if (problem) throw new UsageError(`redact path '${path}': ${problem}`);
    const expression = jsonata(path.replace(/^\$\./, ''));
    for (const run of runs) {
      const value: unknown = await expression.evaluate({
        input: run.header.input,
        output: run.output,
      });
      collectText(
        value,
        (text) => {
          if (!found.has(text)) found.set(text, path);
        },
        (kind) => {
          throw new UsageError(
            `redact path '${path}' leads to a ${kind} in run ${run.header.id}: a redact path must lead to text (or to objects and lists of text); name the text fields under it`,
          );
        },
      );
    }
  }
  return { found };
}

/**
 * `run` with every personal value replaced by its placeholder, and the identity of each effect
 * whose request changed computed again (a replay looks answers up by the request it rebuilds from
 * the redacted input).
 */
export function redactRun(run: RunRecord, values: PersonalValues): RunRecord {
  if (values.found.size === 0) return run;
  const inside = new Map<string, string>();
  const whole = new Map<string, string>();
  let n = 0;
  for (const [value, path] of values.found) {
    if (value.length >= SHORTEST_REPLACED_INSIDE) inside.set(`${path}\u0000${n++}`, value);
    else whole.set(value, path);
  }
  const placeholderOf = (name: string): string => redactedPlaceholder(name.split('\u0000')[0]!);
  let redacted = redactSecrets(run as unknown as JsonValue, inside, placeholderOf);
  redacted = replaceWholeTexts(redacted, whole);
  const out = redacted as unknown as RunRecord;
  return out === run ? run : { ...out, effects: rekeyed(run.effects, out.effects) };
}

/** Walks `value`, handing each text to `onText` and each number or boolean to `onOther`. */
function collectText(
  value: unknown,
  onText: (text: string) => void,
  onOther: (kind: string) => void,
): void {
  if (typeof value === 'string') {
    if (value !== '') onText(value);
  } else if (typeof value === 'number' || typeof value === 'boolean') {
    onOther(typeof value);
  } else if (Array.isArray(value)) {
    for (const member of value) collectText(member, onText, onOther);
  } else if (value !== null && typeof value === 'object') {
    for (const member of Object.values(value)) collectText(member, onText, onOther);
  }
}

/** `value` with each text equal to a key of `whole` replaced by that key's placeholder. */
function replaceWholeTexts(value: JsonValue, whole: ReadonlyMap<string, string>): JsonValue {
  if (whole.size === 0) return value;
  if (typeof value === 'string') {
    const path = whole.get(value);
    return path === undefined ? value : redactedPlaceholder(path);
  }
  if (Array.isArray(value)) {
    const members = value.map((member) => replaceWholeTexts(member, whole));
    return members.every((member, i) => member === value[i]) ? value : members;
  }
  if (value !== null && typeof value === 'object') {
    let changed = false;
    const out: { [key: string]: JsonValue } = {};
    for (const [key, member] of Object.entries(value)) {
      const replaced = replaceWholeTexts(member, whole);
      if (replaced !== member) changed = true;
      out[key] = replaced;
    }
    return changed ? out : value;
  }
  return value;
}

/**
 * Effects with their request keys as the redacted requests give them. An effect whose request
 * changed gets its new request's key and keeps its occurrence, unless another effect already
 * holds that identity (two requests that differed only by personal data): then the next free one.
 * Occurrences of unchanged effects are kept as recorded (they were counted in call order, which
 * the journal's order is not when steps ran in parallel).
 */
function rekeyed(before: readonly EffectRecord[], after: readonly EffectRecord[]): EffectRecord[] {
  const identity = (e: EffectRecord, key: string, occurrence: number): string =>
    `${e.path}\u0000${e.kind}\u0000${key}\u0000${occurrence}`;
  const changed = (i: number): boolean => after[i]!.request !== before[i]?.request;
  const taken = new Set(
    after.flatMap((e, i) => (changed(i) ? [] : [identity(e, e.key, e.occurrence)])),
  );
  return after.map((effect, i) => {
    if (!changed(i)) return effect;
    const key = requestKey(effect.request);
    let occurrence = effect.occurrence;
    while (taken.has(identity(effect, key, occurrence))) occurrence++;
    taken.add(identity(effect, key, occurrence));
    return { ...effect, key, occurrence };
  });
}
