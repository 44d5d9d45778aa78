/**
 * Ctrl-C for commands that run workflows (run, run --side-by-side, replay): the first one cancels
 * what is running, which is then recorded as cancelled and the command exits 130; a second one
 * quits at once.
 */
import { EXIT } from './exit-codes.js';
import type { Output } from './output.js';

/** A cancellation signal tied to Ctrl-C until `dispose` is called. */
export interface Interrupt {
  readonly signal: AbortSignal;
  dispose(): void;
}

/** Listens for Ctrl-C; `what` names what is cancelled (`the run`, `the replay`). */
export function cancelOnInterrupt(output: Output, what: string): Interrupt {
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts > 1) process.exit(EXIT.cancelled);
    output.err(`lockstep: cancelling ${what} (Ctrl-C again to quit at once)`);
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  return { signal: controller.signal, dispose: () => process.off('SIGINT', onSigint) };
}
