/** `lockstep inspect <run-id>`: everything a run recorded. */
import { openCurrentStore, type CommandContext } from '../context.js';
import { printConversation } from '../conversation-output.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { printJson } from '../output.js';
import { findRunId } from '../run-ids.js';

export interface InspectOptions {
  readonly json?: boolean;
}

/** Prints a run's header, steps, effects and outcome (`--json`: the whole record). */
export async function inspectCommand(
  context: CommandContext,
  id: string,
  options: InspectOptions,
): Promise<ExitCode> {
  const store = await openCurrentStore(context);
  try {
    const run = (await store.getRun(await findRunId(store, id)))!;
    if (options.json) {
      printJson(context.output, run);
      return EXIT.ok;
    }
    const out = (line: string): void => context.output.out(line);
    const { header } = run;
    const seq = header.version.seq === undefined ? '' : ` (v${header.version.seq})`;
    out(`Run ${header.id}`);
    out(`  workflow   ${header.workflow}`);
    out(
      `  version    ${header.version.id}${seq}   lockstep show ${header.workflow}@${header.version.id.slice(0, 19)}`,
    );
    out(`  status     ${run.status}${run.error ? `: ${run.error.message}` : ''}`);
    out(
      `  mode       ${header.mode.kind}${header.mode.kind === 'scripted' ? ` (fixtures ${header.mode.fixtures.slice(0, 19)})` : ''}`,
    );
    out(
      `  started    ${header.startedAt}${run.finishedAt ? `, took ${Date.parse(run.finishedAt) - Date.parse(header.startedAt)} ms` : ''}`,
    );
    out(`  engine     ${header.engine.version}`);
    if (header.parent) out(`  parent     run ${header.parent.run}, step ${header.parent.step}`);
    out(`  input      ${indentJson(header.input)}`);
    out(`  output     ${indentJson(run.output)}`);
    out('Steps:');
    for (const step of run.steps) {
      const ms = Date.parse(step.finishedAt) - Date.parse(step.startedAt);
      const attempts = step.attempts > 1 ? `  ${step.attempts} attempts` : '';
      out(
        `  ${step.path.padEnd(28)} ${step.status.padEnd(10)} ${String(ms).padStart(6)} ms${attempts}${step.error ? `  ${step.error.message}` : ''}`,
      );
      printConversation(context.output, step);
    }
    if (run.effects.length > 0) {
      out('Effects:');
      for (const effect of run.effects) {
        const usage = effect.usage ? `  ${effect.usage.input}→${effect.usage.output} tokens` : '';
        const occurrence = effect.occurrence > 0 ? ` #${effect.occurrence}` : '';
        const outcome = effect.error ? `  error: ${effect.error.message}` : '';
        out(
          `  ${effect.path.padEnd(28)} ${effect.kind.padEnd(8)} ${effect.key.slice(0, 22)}${occurrence}  ${effect.latencyMs} ms${usage}${outcome}`,
        );
      }
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}

function indentJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(/\n/g, '\n             ');
}
