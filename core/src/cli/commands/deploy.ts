/**
 * `lockstep deploy --channel <c> [--canary <percent>]`: publish, gate and promote every changed
 * workflow as one deployment (see core/src/node/services/deploy.ts); and `lockstep rollback
 * --deployment <id>`, which undoes one. Both print a summary, or `--json` for a pipeline.
 */
import { UsageError } from '../../model/errors.js';
import { deploy, rollbackDeployment } from '../../node/services/deploy.js';
import { Workspace } from '../../node/workspace/workspace.js';
import type { CommandContext } from '../context.js';
import { EXIT, type ExitCode } from '../exit-codes.js';
import { cancelOnInterrupt } from '../interrupt.js';
import { printJson } from '../output.js';
import { readGateFlags, readReportOptions } from '../report-options.js';

export interface DeployCommandOptions {
  readonly channel: string;
  readonly canary?: string;
  readonly message?: string;
  readonly sample?: string;
  readonly maxChanged?: string;
  readonly onMiss?: string;
  readonly fixtures?: string;
  readonly timeout?: string;
  readonly json?: boolean;
}

/** Exit 0 deployed (or nothing to deploy), 1 when a gate failed (nothing changed), 130 Ctrl-C. */
export async function deployCommand(
  context: CommandContext,
  options: DeployCommandOptions,
): Promise<ExitCode> {
  const { replay } = readReportOptions(options);
  const canary =
    options.canary === undefined ? undefined : Number(options.canary.replace(/%$/, ''));
  if (canary !== undefined && !(canary > 0 && canary < 100)) {
    throw new UsageError(`--canary ${options.canary}: give a percentage above 0 and below 100`);
  }
  const gateFlags = readGateFlags(options);
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore({ create: true });
  const interrupt = cancelOnInterrupt(context.output, 'the deployment');
  try {
    const report = await deploy(workspace, store, {
      channel: options.channel,
      signal: interrupt.signal,
      ...replay,
      ...(canary !== undefined ? { canary } : {}),
      ...(options.message !== undefined ? { message: options.message } : {}),
      ...gateFlags,
    });
    if (options.json) {
      printJson(context.output, { ok: report.applied || report.workflows.length === 0, ...report });
    } else {
      const out = (line: string): void => context.output.out(line);
      for (const w of report.workflows) {
        const gate = w.gate
          ? `gate ${w.gate.pass ? 'passed' : 'FAILED'} (${w.gate.changed} of ${w.gate.sample.length} runs changed)`
          : 'first release, nothing to gate against';
        const change = w.revision === undefined ? '' : ` → ${report.channel} r${w.revision}`;
        out(`${w.workflow} v${w.seq}${w.published ? ' (published now)' : ''}: ${gate}${change}`);
      }
      if (report.unchanged.length > 0) {
        out(`Unchanged on ${report.channel}: ${report.unchanged.join(', ')}`);
      }
      out(
        report.workflows.length === 0
          ? `Nothing to deploy: ${report.channel} already runs every workflow file's version`
          : report.applied
            ? `Deployed ${report.deployment} to ${report.channel} (undo: lockstep rollback --deployment ${report.deployment})`
            : `Not deployed: a gate failed, so no channel changed (${report.deployment})`,
      );
    }
    return report.applied || report.workflows.length === 0 ? EXIT.ok : EXIT.problems;
  } finally {
    interrupt.dispose();
    await store.close();
  }
}

/** Rolls back a whole deployment (exit 2, nothing changed, when one of its channels moved on). */
export async function rollbackDeploymentCommand(
  context: CommandContext,
  deployment: string,
  options: { readonly message?: string; readonly json?: boolean },
): Promise<ExitCode> {
  const workspace = await Workspace.locate(process.cwd(), context.global);
  const store = await workspace.openStore();
  try {
    const result = await rollbackDeployment(workspace, store, deployment, options.message);
    if (options.json) {
      printJson(context.output, { ok: true, ...result });
    } else {
      for (const u of result.undone) {
        context.output.out(`${u.workflow} ${u.channel} r${u.revision}: rolled back r${u.undid}`);
      }
      context.output.out(`Rolled back deployment ${deployment}`);
    }
    return EXIT.ok;
  } finally {
    await store.close();
  }
}
