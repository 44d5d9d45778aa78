/** `lockstep diff <refA> <refB>`: what changed between two versions. */
import { diffVersions } from '../../versions/definition-diff.js';
import { assertFileRefsExist, loadRef, type CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';

export interface DiffOptions {
  readonly json?: boolean;
}

const SIGNS = { added: '+', removed: '-', changed: '~', moved: '>' } as const;

/** Prints the structural changes, then a unified diff of the stored YAML. Exit 1 when they differ. */
export async function diffCommand(
  context: CommandContext,
  refA: string,
  refB: string,
  options: DiffOptions,
): Promise<ExitCode> {
  await assertFileRefsExist([refA, refB]);
  const a = await loadRef(context, refA);
  const b = await loadRef(context, refB);
  const diff = diffVersions(
    a.record,
    b.record,
    { a: a.label, b: b.label },
    { a: a.text, b: b.text },
  );
  if (options.json) {
    printJson(context.output, {
      identical: diff.identical,
      a: { label: a.label, id: a.record.id, seq: a.publication?.seq ?? null },
      b: { label: b.label, id: b.record.id, seq: b.publication?.seq ?? null },
      changes: diff.changes,
      unified: diff.unified,
    });
  } else if (diff.identical) {
    context.output.out(
      diff.unified === ''
        ? `${a.label} and ${b.label} are the same version (${a.record.id})`
        : `${a.label} and ${b.label} are the same version (${a.record.id}); only formatting or comments differ:`,
    );
    if (diff.unified !== '') context.output.out(diff.unified.trimEnd());
  } else {
    context.output.out(`${a.label} → ${b.label}`);
    for (const change of diff.changes)
      context.output.out(`  ${SIGNS[change.change]} ${change.path} ${change.change}`);
    context.output.out('');
    context.output.out(diff.unified.trimEnd());
  }
  return diff.identical ? EXIT.ok : EXIT.problems;
}
