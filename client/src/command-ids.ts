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
  /** Opens a run's details in an editor tab (one per run, reused): `(folder, runId)`. */
  openRunDetails: 'lockstep.run.openDetails',
  /** Copies a run's id (History context menu). */
  copyRunId: 'lockstep.run.copyId',
  /** Copies a run's input as JSON (History context menu). */
  copyRunInput: 'lockstep.run.copyInput',
  /** Copies a version's full hash (History context menu). */
  copyVersionHash: 'lockstep.version.copyHash',
  /** Opens a version from History. */
  openHistoryVersion: 'lockstep.history.openVersion',
  /** Compares a version from History with its workflow's working copy. */
  compareWithWorkingCopy: 'lockstep.history.compareWithWorkingCopy',
  /** Remembers a version for Compare with Selected. */
  selectForCompare: 'lockstep.history.selectForCompare',
  /** Compares a version with the one selected for compare. */
  compareWithSelected: 'lockstep.history.compareWithSelected',
  /** Narrows History's runs by status, mode and version. */
  filterRuns: 'lockstep.history.filter',
  /** Shows every run again. */
  clearFilter: 'lockstep.history.clearFilter',
  /** Reads the stores again. */
  refreshHistory: 'lockstep.history.refresh',
  /** The next page of a version's runs (History's "Show more"). */
  showMoreRuns: 'lockstep.history.showMore',
  /** Creates a workflow file from a template that validates. */
  createWorkflow: 'lockstep.workflow.create',
  /** Stores a secret's value in VS Code's secret storage (optionally given its name). */
  setSecret: 'lockstep.secret.set',
  /** Removes a secret's value from VS Code's secret storage. */
  clearSecret: 'lockstep.secret.clear',
  /** Keeps a team store's password in VS Code's secret storage, then restarts its service. */
  setStorePassword: 'lockstep.store.setPassword',
  /** Removes a team store's password from VS Code's secret storage. */
  clearStorePassword: 'lockstep.store.clearPassword',
  /** Runs a workflow file from the editor: `(uri, { lastInput? })`. */
  runWorkflow: 'lockstep.run.start',
  /** Runs a workflow file with its newest run's input: `(uri)`. */
  runWithLastInput: 'lockstep.run.withLastInput',
  /** Cancels the run the runner started. */
  cancelRun: 'lockstep.run.cancel',
  /** Fills the runner's form with a past run's input (History). */
  runAgain: 'lockstep.run.again',
  /** Replays a run exactly: `(RunNode | RunSubject)`. */
  replayExact: 'lockstep.replay.exact',
  /** Replays a run against its workflow file: `(RunNode | RunSubject)`. */
  replayAgainstWorkingCopy: 'lockstep.replay.againstWorkingCopy',
  /** Replays a run against a version the user picks: `(RunNode | RunSubject)`. */
  replayAgainstVersion: 'lockstep.replay.againstVersion',
  /** Asks which of the three replays to run (the runner's Replay… button): `(RunSubject)`. */
  replayChoose: 'lockstep.replay.choose',
  /** Keeps a run that succeeded as a regression baseline: `(RunNode | RunSubject)`. */
  addBaseline: 'lockstep.baselines.add',
  /** Makes a failed baseline test's replay the new baseline (Testing view message). */
  acceptBaseline: 'lockstep.baselines.accept',
  /** Deletes a baseline (Testing view item). */
  removeBaseline: 'lockstep.baselines.remove',
  /** Puts a published version on a channel at 100 % (History). */
  promoteToChannel: 'lockstep.channel.promote',
  /** Starts a canary of a published version on a channel, or changes its weight (History). */
  startCanary: 'lockstep.channel.canary',
  /** Changes the share of a channel's canary (History: its candidate version, or the channel). */
  changeWeight: 'lockstep.channel.weight',
  /** Takes the warning of an automatic abort off its channel (History). */
  markAbortSeen: 'lockstep.channel.markSeen',
  /** Returns a channel's traffic to its stable version (History). */
  abortCanary: 'lockstep.channel.abort',
  /** Undoes a channel's latest change not rolled back (History). */
  rollbackChannel: 'lockstep.channel.rollback',
} as const;

/** The History view and its container. */
export const VIEWS = {
  container: 'lockstep',
  history: 'lockstep.history',
  /** VS Code adds `lockstep.runner.focus` ("Focus on Runner View"): webviews are outside the tab order. */
  runner: 'lockstep.runner',
} as const;

/** Context keys the manifest's `when` clauses read. */
export const CONTEXT_KEYS = {
  /** No workflow file and no stored workflow in any folder: History shows its welcome. */
  noWorkflows: 'lockstep.history.noWorkflows',
  /** A filter narrows History's runs. */
  filtered: 'lockstep.history.filtered',
  /** A version is selected for Compare with Selected. */
  versionSelected: 'lockstep.history.versionSelected',
  /** The runner has a run starting or running (Cancel Run is offered). */
  runnerRunning: 'lockstep.runner.running',
} as const;

/** The extension's settings. */
export const SETTINGS = {
  /** Whether saving a valid workflow file snapshots it (default true). */
  snapshotOnSave: 'lockstep.snapshotOnSave',
  /** Which lenses workflow files show: all, workflow (only above `name:`), off. */
  codeLens: 'lockstep.codeLens',
  /** Whether runs started in the editor may run shell steps (machine setting, default false). */
  allowShell: 'lockstep.allowShell',
  /** The time limit of each baseline's replay in the Testing view, in seconds (default 300). */
  replayTimeoutSeconds: 'lockstep.testing.replayTimeoutSeconds',
} as const;

/** The language id of workflow files (`*.workflow.yaml`, `*.workflow.yml`). */
export const WORKFLOW_LANGUAGE_ID = 'lockstep-workflow';
