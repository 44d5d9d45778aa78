// Asserting how a provider call fails: with which EngineError, saying where.
import assert from 'node:assert/strict';
import { EngineError } from '../../core/src/engine/engine-error.js';

/**
 * The EngineError `promise` rejects with. Fails unless it rejects, with an EngineError of `code`
 * whose message starts with the step path `where` (every failure names the step it belongs to).
 */
export async function engineFailure(
  promise: Promise<unknown>,
  code: string,
  where: string,
): Promise<EngineError> {
  let outcome: unknown;
  try {
    outcome = await promise;
  } catch (error) {
    assert.ok(error instanceof EngineError, `not an EngineError: ${String(error)}`);
    assert.equal(error.code, code, error.message);
    assert.ok(error.message.startsWith(`${where}: `), `message without the path: ${error.message}`);
    return error;
  }
  assert.fail(`expected a '${code}' failure, got ${JSON.stringify(outcome)?.slice(0, 300)}`);
}
