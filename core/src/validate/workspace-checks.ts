/**
 * Checks across the workflow files of one workspace: names are unique, called workflows exist,
 * calls give the inputs the called workflow declares, and no workflow calls itself, directly or
 * through others.
 */
import { describeInput, inputValueProblem } from '../model/inputs.js';
import { isTemplate } from '../expressions/template.js';
import type { JsonValue } from '../model/workflow.js';
import type { Diagnostic } from '../model/diagnostics.js';
import type { WorkflowCall } from './semantic.js';
import { forEachString } from './strings.js';
import type { WorkflowSummary } from './validate-workflow.js';
import { didYouMean } from './suggest.js';

/** One workflow file of the workspace, identified by a path or URI the caller chooses. */
export interface WorkspaceEntry {
  readonly file: string;
  readonly summary: WorkflowSummary;
}

/**
 * Workspace-level diagnostics, keyed by file. Files without problems are absent. `describe` names
 * another file in messages (default: its identity as given).
 */
export function workspaceDiagnostics(
  entries: readonly WorkspaceEntry[],
  describe: (file: string) => string = (file) => file,
): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  const add = (file: string, diagnostic: Diagnostic): void => {
    out.set(file, [...(out.get(file) ?? []), diagnostic]);
  };

  const byName = new Map<string, WorkspaceEntry[]>();
  for (const entry of entries) {
    if (entry.summary.name === undefined) continue;
    byName.set(entry.summary.name, [...(byName.get(entry.summary.name) ?? []), entry]);
  }

  for (const [name, owners] of byName) {
    if (owners.length < 2) continue;
    for (const entry of owners) {
      const other = owners.find((o) => o !== entry)!;
      add(entry.file, {
        code: 'duplicate-workflow-name',
        severity: 'error',
        message: `name: the workflow name '${name}' is also used by ${describe(other.file)}; names must be unique in a workspace`,
        range: entry.summary.nameRange!,
        related: {
          file: other.file,
          range: other.summary.nameRange!,
          message: `'${name}' is also defined here`,
        },
      });
    }
  }

  const names = [...byName.keys()];
  for (const entry of entries) {
    for (const call of entry.summary.calls) {
      if (!byName.has(call.name)) {
        add(entry.file, {
          code: 'unknown-workflow',
          severity: 'error',
          message: `steps.${call.stepId}.workflow.name: no workflow named '${call.name}' in this workspace${didYouMean(call.name, names)}`,
          range: call.range,
        });
      }
    }
  }

  for (const entry of entries) {
    for (const call of entry.summary.calls) {
      const owners = byName.get(call.name);
      // A pinned call runs a stored version, whose inputs may differ from the file's; a name
      // used twice is reported above.
      if (call.pinned || owners?.length !== 1) continue;
      const declared = owners[0]!.summary.inputs;
      if (declared) for (const d of callInputDiagnostics(call, declared)) add(entry.file, d);
    }
  }

  for (const [file, diagnostic] of cycleDiagnostics(entries, byName)) add(file, diagnostic);
  return out;
}

/**
 * What a run of the call would refuse (see `prepareInputs`): inputs the called workflow does not
 * declare, required ones not given, and literal values of the wrong type. Values computed by
 * expressions are only known when the call runs.
 */
function callInputDiagnostics(
  call: WorkflowCall,
  declared: NonNullable<WorkflowSummary['inputs']>,
): Diagnostic[] {
  const out: Diagnostic[] = [];
  // `inputs` that is not a mapping is a schema error already; nothing to compare.
  const inputs = call.inputs;
  if (!inputs) return out;
  const names = Object.keys(declared);
  const field = `steps.${call.stepId}.workflow.inputs`;
  for (const given of inputs) {
    const input = declared[given.name];
    if (!input) {
      out.push({
        code: 'unknown-call-input',
        severity: 'error',
        message: `${field}.${given.name}: '${call.name}' has no input '${given.name}' (its inputs: ${names.length > 0 ? names.join(', ') : 'none'})${didYouMean(given.name, names)}`,
        range: given.range,
      });
      continue;
    }
    const problem = holdsTemplate(given.value) ? undefined : inputValueProblem(given.value, input);
    if (problem) {
      out.push({
        code: 'call-input-type',
        severity: 'error',
        message: `${field}.${given.name}: '${call.name}' input '${given.name}' ${problem}`,
        range: given.range,
      });
    }
  }
  for (const [name, input] of Object.entries(declared)) {
    const required = input.default === undefined && input.required !== false;
    if (!required || inputs.some((given) => given.name === name)) continue;
    out.push({
      code: 'missing-call-input',
      severity: 'error',
      message: `${field}: '${call.name}' requires input '${name}' (${describeInput(input)}), which this call does not give`,
      range: call.inputsRange,
    });
  }
  return out;
}

/** Whether any string inside the value is a template (its value is computed when it runs). */
function holdsTemplate(value: JsonValue): boolean {
  let found = false;
  forEachString(value, [], (text) => {
    found ||= isTemplate(text);
  });
  return found;
}

/** A diagnostic on every call that closes a cycle, naming the whole cycle. */
function cycleDiagnostics(
  entries: readonly WorkspaceEntry[],
  byName: Map<string, WorkspaceEntry[]>,
): [string, Diagnostic][] {
  const edges = new Map<string, Set<string>>();
  for (const entry of entries) {
    const from = entry.summary.name;
    if (from === undefined) continue;
    const targets = edges.get(from) ?? new Set<string>();
    for (const call of entry.summary.calls) if (byName.has(call.name)) targets.add(call.name);
    edges.set(from, targets);
  }

  const found: [string, Diagnostic][] = [];
  for (const entry of entries) {
    const from = entry.summary.name;
    if (from === undefined) continue;
    for (const call of entry.summary.calls) {
      const back = shortestPath(edges, call.name, from);
      if (!back) continue;
      const cycle = [from, ...back].join(' → ');
      found.push([
        entry.file,
        {
          code: 'workflow-cycle',
          severity: 'error',
          message: `steps.${call.stepId}.workflow.name: calling '${call.name}' makes a cycle (${cycle}); a workflow may not call itself, directly or through others`,
          range: call.range,
        },
      ]);
    }
  }
  return found;
}

/** The names on a shortest path from `start` to `goal` (inclusive), or undefined. */
function shortestPath(
  edges: Map<string, Set<string>>,
  start: string,
  goal: string,
): string[] | undefined {
  const previous = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const current = queue.shift()!;
    if (current === goal) {
      const path: string[] = [];
      for (let at: string | null | undefined = current; at != null; at = previous.get(at))
        path.unshift(at);
      return path;
    }
    for (const next of edges.get(current) ?? []) {
      if (!previous.has(next)) {
        previous.set(next, current);
        queue.push(next);
      }
    }
  }
  return undefined;
}

/**
 * Calls pinned to a channel the store does not know (`channels`: the names of the store's
 * channels), keyed by file: a warning, since the channel may be set later (`lockstep promote`).
 */
export function channelDiagnostics(
  entries: readonly WorkspaceEntry[],
  channels: readonly string[],
): Map<string, Diagnostic[]> {
  const out = new Map<string, Diagnostic[]>();
  const known = new Set(channels);
  for (const entry of entries) {
    for (const call of entry.summary.calls) {
      if (!call.channel || known.has(call.channel.name)) continue;
      const listed =
        channels.length === 0
          ? 'the store has no channels yet'
          : `channels: ${channels.join(', ')}`;
      out.set(entry.file, [
        ...(out.get(entry.file) ?? []),
        {
          code: 'unknown-channel',
          severity: 'warning',
          message: `steps.${call.stepId}.workflow.version: no channel '${call.channel.name}' in the store (${listed})${didYouMean(call.channel.name, channels)}; set it with \`lockstep promote ${call.name}@<n> --channel ${call.channel.name}\``,
          range: call.channel.range,
        },
      ]);
    }
  }
  return out;
}
