/**
 * The one place where the workspace service turns an error into the answer the extension gets: a
 * JSON-RPC error whose message is written for users and whose `data.code` is the stable code of a
 * Lockstep error (`internal` for anything else, which is a bug: its stack goes to the log).
 */
import { ResponseError } from 'vscode-jsonrpc';
import { InvalidDefinitionError, LockstepError } from '../model/errors.js';
import { InputError } from '../model/inputs.js';
import { MissingSecretError } from './run-sessions.js';

/** JSON-RPC's code for a request that failed on the server's side (LSP's RequestFailed). */
const REQUEST_FAILED = -32803;

/** The error a failed request answers with; `log` receives the details of unexpected ones. */
export function errorResponse(
  error: unknown,
  log: (message: string) => void,
): ResponseError<{ code: string; diagnostics?: unknown; problems?: unknown; names?: unknown }> {
  if (error instanceof InvalidDefinitionError) {
    return new ResponseError(REQUEST_FAILED, error.message, {
      code: error.code,
      diagnostics: error.diagnostics,
    });
  }
  if (error instanceof InputError) {
    return new ResponseError(REQUEST_FAILED, error.message, {
      code: error.code,
      problems: error.problems,
    });
  }
  if (error instanceof MissingSecretError) {
    return new ResponseError(REQUEST_FAILED, error.message, {
      code: error.code,
      names: error.names,
    });
  }
  if (error instanceof LockstepError) {
    return new ResponseError(REQUEST_FAILED, error.message, { code: error.code });
  }
  const message = error instanceof Error ? error.message : String(error);
  log(error instanceof Error ? (error.stack ?? message) : message);
  return new ResponseError(REQUEST_FAILED, `internal error: ${message} (see the Lockstep log)`, {
    code: 'internal',
  });
}
