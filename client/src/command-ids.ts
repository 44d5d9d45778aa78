/**
 * The ids of the commands the extension contributes, `lockstep.<area>.<verb>`, and of its
 * settings. package.json declares the same ids (a unit test holds the two in step), so this file
 * has no runtime imports and no `vscode`: tests read it without an editor.
 */
export const COMMANDS = {
  /** Shows the "Lockstep" output channel: the client's log and the server's trace. */
  showOutput: 'lockstep.output.show',
  /** Stops the language server and starts it again (for example after rebuilding it). */
  restartServer: 'lockstep.server.restart',
  /** Stops the workspace services and starts them again. */
  restartService: 'lockstep.service.restart',
  /** Publishes the active workflow file's content as its next version, asking for a message. */
  publishVersion: 'lockstep.version.publish',
  /** Opens a stored version of the active workflow (read-only). */
  openVersion: 'lockstep.version.open',
  /** Compares the working copy (or the open version) with a stored version in the diff editor. */
  compareWithVersion: 'lockstep.version.compare',
  /** Replaces the working copy's content with a stored version's (an undoable edit). */
  restoreVersion: 'lockstep.version.restore',
  /** The active workflow's versions, newest first, to open one. */
  showHistory: 'lockstep.history.show',
  /** The status bar item's menu (not in the palette). */
  statusMenu: 'lockstep.status.menu',
} as const;

/** The extension's settings. */
export const SETTINGS = {
  /** Whether saving a valid workflow file snapshots it (default true). */
  snapshotOnSave: 'lockstep.snapshotOnSave',
} as const;

/** The language id of workflow files (`*.workflow.yaml`, `*.workflow.yml`). */
export const WORKFLOW_LANGUAGE_ID = 'lockstep-workflow';
