/**
 * A worker thread of the hostile-input suite: takes one input at a time (a target and its
 * bytes), feeds it to that part of Lockstep and answers how it ended: `accepted`, `refused` with
 * a clear error (a LockstepError: a stable code and a message), or `crashed` with anything else
 * (a TypeError, a RangeError…: a bug). The suite terminates this thread when an input takes too
 * long (a hang), so it handles inputs strictly one after the other.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { LockstepError } from '../../../core/src/model/errors.js';
import { importBundle, readBundle } from '../../../core/src/node/services/bundles.js';
import { openFsStore } from '../../../core/src/node/store/fs-store.js';
import { parseJournal } from '../../../core/src/node/store/files/run-journals.js';
import { parseFixturesText } from '../../../core/src/providers/fixtures.js';
import { foldRun } from '../../../core/src/store/fold-run.js';
import { MemoryStore } from '../../../core/src/store/memory-store.js';
import { parseConfigText } from '../../../core/src/validate/config.js';
import { validateWorkflowText } from '../../../core/src/validate/validate-workflow.js';

/** The parts of Lockstep an input can be fed to. */
export type FuzzTarget =
  | 'workflow'
  | 'config'
  | 'fixtures'
  | 'bundle'
  | 'journal'
  | 'control-log'
  | 'log-index'
  | 'control-checkpoint';

export interface FuzzInput {
  readonly id: number;
  readonly target: FuzzTarget;
  readonly bytes: Uint8Array;
}

export interface FuzzOutcome {
  readonly id: number;
  readonly outcome: 'accepted' | 'refused' | 'crashed';
  readonly detail?: string;
}

/** What the worker is given: a folder of its own and a valid store's files to start from. */
export interface FuzzWorkerData {
  readonly dir: string;
  readonly controlLog: Uint8Array;
  readonly logIndex: Uint8Array;
  readonly storeJson: Uint8Array;
  /** A control log long enough to have a checkpoint (the `control-checkpoint` inputs'). */
  readonly checkpointedLog: Uint8Array;
}

const data = workerData as FuzzWorkerData;
const text = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');

/**
 * A store folder holding `controlLog`, `logIndex` and `checkpoint` (one of them the input; an
 * empty cache file is none).
 */
function storeWith(
  controlLog: Uint8Array,
  logIndex: Uint8Array,
  checkpoint: Uint8Array = new Uint8Array(),
): string {
  const root = path.join(data.dir, 'store', '.lockstep');
  rmSync(path.dirname(root), { recursive: true, force: true });
  mkdirSync(path.join(root, 'local'), { recursive: true });
  writeFileSync(path.join(root, 'store.json'), data.storeJson);
  writeFileSync(path.join(root, 'control.jsonl'), controlLog);
  if (logIndex.length > 0) writeFileSync(path.join(root, 'local', 'control-index.jsonl'), logIndex);
  if (checkpoint.length > 0) {
    writeFileSync(path.join(root, 'local', 'control-checkpoint.bin'), checkpoint);
  }
  return root;
}

async function openAndRead(root: string): Promise<void> {
  const store = await openFsStore(root);
  try {
    for (const workflow of await store.listWorkflows()) {
      for (const publication of await store.listPublications(workflow)) {
        await store.getVersion(workflow, publication.version);
      }
    }
    await store.readControlLog();
    await store.verify();
  } finally {
    await store.close();
  }
}

const feed: Record<FuzzTarget, (bytes: Uint8Array) => Promise<void> | void> = {
  workflow: (bytes) => void validateWorkflowText(text(bytes)),
  config: (bytes) => void parseConfigText(text(bytes)),
  fixtures: (bytes) => void parseFixturesText(text(bytes)),
  bundle: async (bytes) => {
    const file = path.join(data.dir, 'input.bundle');
    writeFileSync(file, bytes);
    const bundle = await readBundle(file);
    const store = new MemoryStore();
    await importBundle(store, bundle, { actor: 'fuzz', at: new Date(0).toISOString() });
    await importBundle(store, bundle, { actor: 'fuzz', at: new Date(0).toISOString() });
  },
  journal: (bytes) => void foldRun(parseJournal(bytes, 'input.jsonl'), false),
  'control-log': (bytes) => openAndRead(storeWith(bytes, new Uint8Array())),
  // The index is a cache: a damaged one must never stop a store from opening.
  'log-index': (bytes) => openAndRead(storeWith(data.controlLog, bytes)),
  // So is the checkpoint of the folded state.
  'control-checkpoint': (bytes) =>
    openAndRead(storeWith(data.checkpointedLog, new Uint8Array(), bytes)),
};

parentPort!.on('message', (input: FuzzInput) => {
  void (async (): Promise<FuzzOutcome> => {
    try {
      await feed[input.target](input.bytes);
      return { id: input.id, outcome: 'accepted' };
    } catch (error) {
      if (error instanceof LockstepError && error.message.trim() !== '') {
        return { id: input.id, outcome: 'refused', detail: `${error.code}: ${error.message}` };
      }
      const err = error as Error;
      return {
        id: input.id,
        outcome: 'crashed',
        detail: `${err?.name ?? typeof error}: ${err?.message ?? String(error)}\n${err?.stack ?? ''}`,
      };
    }
  })().then((outcome) => parentPort!.postMessage(outcome));
});
