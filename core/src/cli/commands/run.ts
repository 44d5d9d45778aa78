/** `lockstep run <ref>`: run a workflow and record the run. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../../model/errors.js';
import type { JsonValue, WorkflowDefinition } from '../../model/workflow.js';
import { shortId } from '../../model/content-id.js';
import { loadFixtures, resolveRunnable, runResolved } from '../../node/services/run-service.js';
import { Workspace } from '../../node/workspace/workspace.js';
import type { RunEvent } from '../../model/runs.js';
import { looksLikeFile, parseRef } from '../../versions/refs.js';
import type { Store } from '../../store/store.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { cancelOnInterrupt } from '../interrupt.js';
import { displayPath, printJson } from '../output.js';
import { progressPrinter } from '../run-progress.js';
import { compareRuns } from '../../replay/compare.js';
import { printComparison } from '../comparison-output.js';

export interface RunOptions {
  readonly input?: string[];
  readonly inputFile?: string;
  readonly fixtures?: string;
  readonly allowShell?: boolean;
  readonly allowRetired?: boolean;
  readonly json?: boolean;
  /** Run `refB` too, at the same time on the same input, and compare the two runs. */
  readonly sideBySide?: boolean;
  readonly refB?: string;
}

/**
 * Runs a version and prints its id, version, status and output. Exit 0 when it succeeded, 1 when
 * it failed, 130 when cancelled (Ctrl-C), 2 when it could not start.
 */
export async function runCommand(
  context: CommandContext,
  ref: string,
  options: RunOptions,
): Promise<ExitCode> {
  const workspace = looksLikeFile(ref)
    ? await Workspace.forFile(ref, context.global)
    : await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore({ create: true });
  const interrupt = cancelOnInterrupt(
    context.output,
    options.refB === undefined ? 'the run' : 'the runs',
  );
  try {
    // A broken fixtures file stops the run before the workflow is snapshotted.
    const fixtures =
      options.fixtures === undefined ? undefined : await loadFixtures(options.fixtures);
    if ((options.sideBySide === true) !== (options.refB !== undefined)) {
      throw new UsageError('compare two versions with: lockstep run --side-by-side <refA> <refB>');
    }
    // A channel routes by the input, which is typed by a version's definition: the stable one's.
    const typing = await inputTyping(store, ref);
    const version = typing
      ? await resolveRunnable(workspace, store, ref, await collectInputs(typing, options))
      : await resolveRunnable(workspace, store, ref);
    const input = await collectInputs(version.record.definition, options);
    const progress =
      !options.json && process.stderr.isTTY ? progressPrinter(context.output) : undefined;
    const runOptions = {
      input,
      ...(fixtures ? { fixtures } : {}),
      allowShell: options.allowShell === true,
      allowRetired: options.allowRetired === true,
      signal: interrupt.signal,
      ...(progress ? { onEvent: (event: RunEvent, run: string) => progress(event, run) } : {}),
    };
    if (options.refB !== undefined) {
      const versionB = await resolveRunnable(workspace, store, options.refB);
      const [a, b] = await Promise.all([
        runResolved(workspace, store, version, runOptions),
        runResolved(workspace, store, versionB, runOptions),
      ]);
      const [recordA, recordB] = await Promise.all([store.getRun(a.id), store.getRun(b.id)]);
      const comparison = compareRuns(recordA!, recordB!, (await workspace.config()).prices ?? {});
      if (options.json) printJson(context.output, { a, b, comparison });
      else printComparison(context.output, comparison);
      if (a.status === 'cancelled' || b.status === 'cancelled') return EXIT.cancelled;
      return a.status === 'succeeded' && b.status === 'succeeded' ? EXIT.ok : EXIT.problems;
    }
    const result = await runResolved(workspace, store, version, runOptions);
    const seq = result.version.seq;
    const routed = result.routing
      ? `  (channel ${result.routing.channel} r${result.routing.revision}: ${result.routing.target}, bucket ${result.routing.bucket}${result.routing.sticky ? ', sticky' : result.routing.inherited ? ", parent's" : ', random'})`
      : '';
    const versionText =
      seq === undefined ? shortId(result.version.id) : `v${seq} (${shortId(result.version.id)})`;
    if (options.json) {
      printJson(context.output, { ...result, store: store.info.location });
    } else {
      context.output.out(`Run ${result.id}`);
      context.output.out(`  workflow  ${version.record.name} ${versionText}${routed}`);
      context.output.out(`  status    ${result.status}`);
      if (result.error) context.output.out(`  error     ${result.error.message}`);
      context.output.out(
        `  output    ${JSON.stringify(result.output, null, 2).replace(/\n/g, '\n            ')}`,
      );
      context.output.out(
        `  recorded  in ${displayPath(store.info.location)} (lockstep inspect ${result.id})`,
      );
    }
    return result.status === 'succeeded'
      ? EXIT.ok
      : result.status === 'cancelled'
        ? EXIT.cancelled
        : EXIT.problems;
  } finally {
    interrupt.dispose();
    await store.close();
  }
}

/** For a channel ref: the definition of the channel's stable version, to type the inputs by. */
async function inputTyping(store: Store, ref: string): Promise<WorkflowDefinition | undefined> {
  if (looksLikeFile(ref)) return undefined;
  const parsed = parseRef(ref);
  if (parsed.kind !== 'channel') return undefined;
  const stable = (await store.getChannel(parsed.name, parsed.channel))?.targets?.stable;
  return stable ? (await store.getVersion(parsed.name, stable.version))?.definition : undefined;
}

/**
 * Inputs from `--input-file` (a JSON object) and `--input name=value` (which win). A value is
 * read by the input's declared type: text for strings, JSON for the rest.
 */
async function collectInputs(
  definition: WorkflowDefinition,
  options: RunOptions,
): Promise<{ [name: string]: JsonValue }> {
  const inputs: { [name: string]: JsonValue } = {};
  if (options.inputFile) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(await readFile(options.inputFile, 'utf8'));
    } catch (error) {
      throw new UsageError(`--input-file ${options.inputFile}: ${(error as Error).message}`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new UsageError(
        `--input-file ${options.inputFile}: must hold a JSON object of inputs by name`,
      );
    }
    Object.assign(inputs, parsed);
  }
  for (const pair of options.input ?? []) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new UsageError(`--input ${pair}: write --input name=value`);
    const name = pair.slice(0, at);
    const raw = pair.slice(at + 1);
    const type = definition.inputs?.[name]?.type;
    if (type === undefined || type === 'string') {
      inputs[name] = raw;
      continue;
    }
    try {
      inputs[name] = JSON.parse(raw) as JsonValue;
    } catch {
      throw new UsageError(
        `--input ${name}=${raw}: '${name}' is ${type === 'integer' ? 'an integer' : `a ${type}`}; give it as JSON`,
      );
    }
  }
  return inputs;
}
