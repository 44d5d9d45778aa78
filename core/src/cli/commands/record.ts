/**
 * `lockstep record <run-id> [-o <file>]`: the decision record of a run, for a compliance review
 * (see core/src/decision/decision-record.ts); `lockstep record --verify <file>` checks one.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { decisionRecord, decisionRecordProblems } from '../../decision/decision-record.js';
import { FileError, RefError, UsageError } from '../../model/errors.js';
import { LOCKSTEP_VERSION } from '../../version.js';
import { openCurrentStore, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { displayPath, printJson } from '../output.js';
import { findRunId } from '../run-ids.js';

export interface RecordOptions {
  readonly output?: string;
  readonly verify?: string;
  readonly json?: boolean;
}

/** Writes a run's decision record (exit 0), or checks one (exit 0 intact, 1 not). */
export async function recordCommand(
  context: CommandContext,
  id: string | undefined,
  options: RecordOptions,
): Promise<ExitCode> {
  if (options.verify !== undefined) {
    if (id !== undefined) throw new UsageError('give a run id or --verify <file>, not both');
    return verifyRecord(context, options.verify, options.json === true);
  }
  if (id === undefined) throw new UsageError('give a run id (or --verify <file>)');
  const store = await openCurrentStore(context);
  try {
    const run = (await store.getRun(await findRunId(store, id)))!;
    if (run.status === 'running') {
      throw new RefError(
        'running-run',
        `run ${run.header.id} is still running; its record is not final`,
      );
    }
    const version = await store.getVersion(run.header.workflow, run.header.version.id);
    if (!version) {
      throw new RefError(
        'unknown-version',
        `run ${run.header.id} ran ${run.header.version.id}, which is not in this store`,
      );
    }
    const record = decisionRecord(
      run,
      version,
      await store.readControlLog(),
      LOCKSTEP_VERSION,
      new Date().toISOString(),
    );
    const text = `${JSON.stringify(record, null, 2)}\n`;
    if (options.output === undefined) {
      context.output.write(text);
      return EXIT.ok;
    }
    await writeFile(options.output, text).catch((error: NodeJS.ErrnoException) => {
      throw new FileError(
        'unreadable-file',
        `${displayPath(options.output!)}: cannot write the record (${error.code ?? error.message})`,
      );
    });
    const cites = [
      record.publication ? `publication #${record.publication.index}` : undefined,
      record.admission ? `${record.admission.channel} r${record.admission.revision}` : undefined,
      record.admission?.gate ? 'its gate' : undefined,
      record.admission?.deployment ? `deployment ${record.admission.deployment}` : undefined,
    ].filter(Boolean);
    context.output.out(
      `Wrote the decision record of run ${run.header.id} to ${displayPath(options.output)}${cites.length ? ` (cites ${cites.join(', ')})` : ''}`,
    );
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

async function verifyRecord(
  context: CommandContext,
  file: string,
  json: boolean,
): Promise<ExitCode> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new FileError(
      error.code === 'ENOENT' ? 'unknown-file' : 'unreadable-file',
      `${displayPath(file)}: cannot read it (${error.code ?? error.message})`,
    );
  });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new FileError(
      'unreadable-file',
      `${displayPath(file)}: not JSON, so not a decision record`,
    );
  }
  const problems = decisionRecordProblems(value);
  if (json) {
    printJson(context.output, { ok: problems.length === 0, file: displayPath(file), problems });
  } else if (problems.length === 0) {
    context.output.out(`${displayPath(file)}: intact (every hash and chain link checks)`);
  } else {
    for (const problem of problems) context.output.out(`${displayPath(file)}: ${problem}`);
  }
  return problems.length === 0 ? EXIT.ok : EXIT.problems;
}
