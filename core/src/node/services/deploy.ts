/**
 * One-step deployment for a pipeline: publish every workflow file whose content has no published
 * version (message: the commit's subject), gate each workflow whose version is not what the
 * channel runs against the channel's current version, and, only when every gate passes, promote
 * them all (or start a canary of each) as one deployment with an id that every change carries.
 * A failing gate changes no channel. `rollbackDeployment` undoes a whole deployment, and refuses
 * (changing nothing) when any of its channels moved on since.
 */
import { v7 as uuidv7 } from 'uuid';
import { canaryChange, promoteChange, rollbackChange } from '../../channels/changes.js';
import { admittingGate } from '../../gate/admission.js';
import { LockstepError, UsageError } from '../../model/errors.js';
import { checkChannelName } from '../../model/names.js';
import type { ChannelEntry } from '../../store/records.js';
import type { Store } from '../../store/store.js';
import { changeChannel, publishedVersion } from './channel-service.js';
import { recordGateReport, runGate, type GateReport } from './gate.js';
import type { ReplaySettings } from './timed-replay.js';
import { publishFile } from './version-service.js';
import { commitSubject } from '../workspace/git.js';
import { displayPath } from '../workspace/display-path.js';
import type { Workspace } from '../workspace/workspace.js';

export interface DeployOptions extends ReplaySettings {
  readonly channel: string;
  /** Start a canary at this percent instead of promoting. */
  readonly canary?: number;
  /** The publications' message (default: the commit's subject). */
  readonly message?: string;
  /** Each gate's sample size and threshold (as `lockstep gate`). */
  readonly sample?: number;
  readonly maxChangedPercent?: number;
}

export interface DeployedWorkflow {
  readonly workflow: string;
  readonly file: string;
  readonly seq: number;
  /** Whether this deployment published it. */
  readonly published: boolean;
  /** The gate against the channel's current version (absent when the channel pointed nowhere). */
  readonly gate?: Pick<GateReport, 'pass' | 'changed' | 'changedPercent' | 'sample'>;
  /** The channel's revision after the change (absent when nothing changed). */
  readonly revision?: number;
}

export interface DeployReport {
  readonly deployment: string;
  readonly channel: string;
  /** True when every gate passed and the channels changed. */
  readonly applied: boolean;
  /** Workflows whose version the channel did not run, in file order. */
  readonly workflows: readonly DeployedWorkflow[];
  /** Workflow files whose version the channel already runs. */
  readonly unchanged: readonly string[];
}

/**
 * Publishes, gates and promotes (see the module comment).
 * @throws InvalidDefinitionError naming an invalid file (before anything is published);
 *   LockstepError `conflict` when a channel changed during the deployment.
 */
export async function deploy(
  workspace: Workspace,
  store: Store,
  options: DeployOptions,
): Promise<DeployReport> {
  const channel = checkChannelName(options.channel);
  const deployment = `d-${uuidv7()}`;
  const { files } = await workspace.workflowFiles();
  // Every file is checked before anything is published: an invalid one stops the deployment.
  for (const file of files) await workspace.draft(file);
  const message =
    options.message ?? (await commitSubject(workspace.root)) ?? `lockstep deploy ${deployment}`;

  const candidates: { file: string; workflow: string; seq: number; published: boolean }[] = [];
  const unchanged: string[] = [];
  for (const file of files) {
    const { publication, created } = await publishFile(workspace, store, file, message);
    const state = await store.getChannel(publication.workflow, channel);
    const runs = state?.targets;
    if (runs && !runs.candidate && runs.stable.version === publication.version) {
      unchanged.push(displayPath(file));
      continue;
    }
    candidates.push({
      file: displayPath(file),
      workflow: publication.workflow,
      seq: publication.seq,
      published: created,
    });
  }

  const gated: DeployedWorkflow[] = [];
  for (const candidate of candidates) {
    const state = await store.getChannel(candidate.workflow, channel);
    if (!state?.targets) {
      gated.push(candidate); // a first release: nothing to gate against
      continue;
    }
    const report = await runGate(workspace, store, `${candidate.workflow}@${candidate.seq}`, {
      ...options,
      baseline: channel,
    });
    if (report.cancelled) throw new LockstepError('cancelled', 'the deployment was cancelled');
    await recordGateReport(workspace, store, report);
    const { pass, changed, changedPercent, sample } = report;
    gated.push({ ...candidate, gate: { pass, changed, changedPercent, sample } });
  }
  if (gated.some((w) => w.gate && !w.gate.pass)) {
    return { deployment, channel, applied: false, workflows: gated, unchanged };
  }

  const deployed: DeployedWorkflow[] = [];
  for (const workflow of gated) {
    const outcome = await changeChannel(
      workspace,
      store,
      workflow.workflow,
      channel,
      async (s, state, meta) => {
        const { version } = await publishedVersion(s, `${workflow.workflow}@${workflow.seq}`);
        const change =
          options.canary === undefined || !state?.targets
            ? promoteChange(workflow.workflow, channel, state, version, meta)
            : canaryChange(
                workflow.workflow,
                channel,
                state,
                version,
                { weight: options.canary },
                meta,
              );
        const gate = await admittingGate(s, workflow.workflow, channel, version, state);
        return { ...change, ...(gate ? { gate } : {}), deployment };
      },
      { message: `deployment ${deployment}: ${message}` },
    );
    deployed.push({
      ...workflow,
      ...(outcome.applied ? { revision: outcome.state.revision } : {}),
    });
  }
  return { deployment, channel, applied: true, workflows: deployed, unchanged };
}

export interface DeploymentRollback {
  readonly deployment: string;
  /** Each channel change undone: workflow, channel, the revision it undid and the new one. */
  readonly undone: readonly {
    readonly workflow: string;
    readonly channel: string;
    readonly undid: number;
    readonly revision: number;
  }[];
}

/**
 * Rolls back every channel change of a deployment, newest first.
 * @throws LockstepError `unknown-deployment`-style `invalid-change` when no change carries the
 *   id or one of its channels has changed since (nothing is rolled back then).
 */
export async function rollbackDeployment(
  workspace: Workspace,
  store: Store,
  deployment: string,
  message?: string,
): Promise<DeploymentRollback> {
  if (!/^d-[0-9a-f-]{36}$/.test(deployment)) {
    throw new UsageError(
      `--deployment ${deployment}: a deployment id looks like d-<uuid>, as \`lockstep deploy\` prints it`,
    );
  }
  const changes = (await store.readControlLog()).filter(
    (e): e is ChannelEntry =>
      e.type === 'channel' && e.deployment === deployment && e.action !== 'rollback',
  );
  if (changes.length === 0) {
    throw new LockstepError(
      'invalid-change',
      `no channel change belongs to deployment ${deployment} (\`lockstep audit\` lists the changes)`,
    );
  }
  const log = await store.readControlLog();
  const rolledBack = (change: ChannelEntry): boolean =>
    log.some(
      (e) =>
        e.type === 'channel' &&
        e.workflow === change.workflow &&
        e.channel === change.channel &&
        e.rollsBack === change.revision,
    );
  if (changes.every(rolledBack)) {
    throw new LockstepError(
      'invalid-change',
      `deployment ${deployment} was already rolled back; nothing to do`,
    );
  }
  // All or nothing: every change must still be its channel's latest not rolled back.
  for (const change of changes) {
    const state = await store.getChannel(change.workflow, change.channel);
    if (state?.undoable.at(-1) !== change.revision) {
      throw new LockstepError(
        'invalid-change',
        `${change.workflow}'s channel '${change.channel}' changed since deployment ${deployment} (its latest change is r${state?.revision}); nothing was rolled back: roll it back with \`lockstep rollback ${change.workflow} --channel ${change.channel}\``,
      );
    }
  }
  const undone: DeploymentRollback['undone'][number][] = [];
  for (const change of [...changes].reverse()) {
    const outcome = await changeChannel(
      workspace,
      store,
      change.workflow,
      change.channel,
      async (_s, state, meta) => ({
        ...rollbackChange(change.workflow, change.channel, state, meta),
        deployment,
      }),
      { message: message ?? `rollback of deployment ${deployment}` },
    );
    if (outcome.applied) {
      undone.push({
        workflow: change.workflow,
        channel: change.channel,
        undid: change.revision,
        revision: outcome.state.revision,
      });
    }
  }
  return { deployment, undone };
}
