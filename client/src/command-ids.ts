/**
 * The ids of the commands the extension contributes, `lockstep.<area>.<verb>`. package.json
 * declares the same ids (a unit test holds the two in step), so this file has no runtime imports
 * and no `vscode`: tests read it without an editor.
 */
export const COMMANDS = {
  /** Shows the "Lockstep" output channel: the client's log and the server's trace. */
  showOutput: 'lockstep.output.show',
  /** Stops the language server and starts it again (for example after rebuilding it). */
  restartServer: 'lockstep.server.restart',
} as const;

/** The language id of workflow files (`*.workflow.yaml`, `*.workflow.yml`). */
export const WORKFLOW_LANGUAGE_ID = 'lockstep-workflow';
