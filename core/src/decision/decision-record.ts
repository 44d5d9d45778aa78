/**
 * A decision record: one self-contained document for a compliance review of one run, and the
 * checks that prove it was not edited. It holds the version's definition (its source), the
 * models and their parameters, the prompts as the run resolved them (each model request), every
 * effect, the routing decision, and the control-log entries that published the version and
 * pointed the channel at it (with the gate that admitted it, when one was cited), each with its
 * chain hash, and the chain's hashes from the first cited entry to the head. Secrets never
 * appear: the store holds requests with placeholders in their place.
 */
import { canonicalJson, sha256 } from '../hash/canonical.js';
import type { ContentId } from '../model/content-id.js';
import type { RunRecord } from '../model/runs.js';
import type { JsonValue } from '../model/workflow.js';
import type { ChannelEntry, ControlEntry, PublishEntry, VersionRecord } from '../store/records.js';
import { entryHashProblem, versionRecordProblem } from '../store/records.js';

export const DECISION_RECORD_KIND = 'lockstep.decision-record';

export interface DecisionRecord {
  readonly kind: typeof DECISION_RECORD_KIND;
  readonly format: 1;
  readonly generatedAt: string;
  readonly engine: string;
  readonly run: RunRecord;
  /** sha256 of the run's canonical JSON, as recorded. */
  readonly runHash: ContentId;
  readonly version: VersionRecord;
  /** The models the definition names, with their parameters. */
  readonly models: JsonValue;
  /** Each model request the run made, as it was sent (resolved prompts; secrets as placeholders). */
  readonly prompts: readonly { readonly step: string; readonly request: JsonValue }[];
  /** The publication of the version (absent for an unpublished snapshot). */
  readonly publication?: PublishEntry;
  /** The channel change the run's routing decision was made on (its gate, if it cites one). */
  readonly admission?: ChannelEntry;
  /** `{ index, prev, hash }` of every control-log entry from the first cited one to the head. */
  readonly chain: readonly {
    readonly index: number;
    readonly prev: string | null;
    readonly hash: string;
  }[];
}

/**
 * The decision record of `run`, from the version it ran and the control log as it is now.
 * @param now when it is generated (ISO 8601).
 */
export function decisionRecord(
  run: RunRecord,
  version: VersionRecord,
  log: readonly ControlEntry[],
  engine: string,
  now: string,
): DecisionRecord {
  const publication = log.find(
    (e): e is PublishEntry => e.type === 'publish' && e.version === version.id,
  );
  const routing = run.header.routing;
  const admission = routing
    ? log.find(
        (e): e is ChannelEntry =>
          e.type === 'channel' &&
          e.workflow === run.header.workflow &&
          e.channel === routing.channel &&
          e.revision === routing.revision,
      )
    : undefined;
  const first = Math.min(
    ...[publication, admission].flatMap((e) => (e ? [e.index] : [])),
    Number.POSITIVE_INFINITY,
  );
  return {
    kind: DECISION_RECORD_KIND,
    format: 1,
    generatedAt: now,
    engine,
    run,
    runHash: sha256(canonicalJson(run)),
    version,
    models: (version.definition.models ?? {}) as unknown as JsonValue,
    prompts: promptsOf(run),
    ...(publication ? { publication } : {}),
    ...(admission ? { admission } : {}),
    chain: log
      .filter((e) => e.index >= first)
      .map((e) => ({ index: e.index, prev: e.prev, hash: e.hash })),
  };
}

/** Each model request of the run, in order. */
function promptsOf(run: RunRecord): DecisionRecord['prompts'] {
  return run.effects
    .filter((effect) => effect.kind === 'llm')
    .map((effect) => ({ step: effect.path, request: effect.request }));
}

/** Whether two JSON values are the same data (false when either is not JSON). */
function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

/** What does not hold in a decision record (empty when every check passes). */
export function decisionRecordProblems(value: unknown): string[] {
  if (value === null || typeof value !== 'object') return ['not a decision record'];
  const record = value as Partial<DecisionRecord>;
  if (
    record.kind !== DECISION_RECORD_KIND ||
    record.format !== 1 ||
    !record.run ||
    !record.version
  ) {
    return ['not a decision record (kind lockstep.decision-record, format 1)'];
  }
  const problems: string[] = [];
  const { run, version } = record;
  let runHash: string | undefined;
  try {
    runHash = sha256(canonicalJson(run));
  } catch {
    runHash = undefined;
  }
  if (runHash !== record.runHash) problems.push('run: its content does not match its hash');
  const versionProblem = versionRecordProblem(version, run.header?.version?.id);
  if (versionProblem) problems.push(`version: ${versionProblem}`);
  // The convenience views must say what the hashed parts say.
  if (runHash === record.runHash && !sameJson(record.prompts, promptsOf(run))) {
    problems.push('prompts: they differ from the model requests the run recorded');
  }
  if (!versionProblem && !sameJson(record.models, version.definition.models ?? {})) {
    problems.push('models: they differ from the version’s definition');
  }
  if (run.header?.routing && run.header.routing.version !== version.id) {
    problems.push('run: its routing decision chose another version');
  }
  const chain = record.chain ?? [];
  chain.forEach((link, i) => {
    if (i > 0 && link.prev !== chain[i - 1]!.hash) {
      problems.push(`chain: entry ${link.index} does not link to entry ${chain[i - 1]!.index}`);
    }
  });
  const cited = (name: string, entry: ControlEntry | undefined): void => {
    if (!entry) return;
    const problem = entryHashProblem(entry);
    if (problem) problems.push(`${name}: ${problem}`);
    const link = chain.find((l) => l.index === entry.index);
    if (!link || link.hash !== entry.hash) {
      problems.push(`${name}: entry ${entry.index} is not in the chain the record carries`);
    }
  };
  cited('publication', record.publication);
  if (record.publication && record.publication.version !== version.id) {
    problems.push('publication: it publishes another version');
  }
  cited('admission', record.admission);
  if (
    record.admission &&
    ![record.admission.to?.stable, record.admission.to?.candidate].some(
      (target) => target?.version === version.id,
    )
  ) {
    problems.push('admission: the channel change does not route to this version');
  }
  return problems;
}
