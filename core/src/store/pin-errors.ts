/** The errors pinning shares between backends. */
import { LockstepError } from '../model/errors.js';

/** No run with this id. */
export function unknownRun(id: string): LockstepError {
  return new LockstepError(
    'unknown-run',
    `no run ${id} in this store (\`lockstep runs <workflow>\` lists them)`,
  );
}

/** Unpinning a run that is not pinned. */
export function notPinned(id: string): LockstepError {
  return new LockstepError('invalid-change', `run ${id} is not pinned; nothing to unpin`);
}
