/**
 * The workspace service's entry point (bundled as dist/service.js): a child process the VS Code
 * extension starts for each workspace folder, spoken to over Node IPC with the typed messages of
 * protocol.ts. It answers for versions, history, runs, replays and baselines,
 * and tells the extension when the store changes, whoever changed it. It ends when the extension
 * disconnects.
 *
 *   node dist/service.js --folder <workspace folder> [--store <.lockstep folder>] [--restricted]
 */
import { parseArgs } from 'node:util';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { LOCKSTEP_VERSION } from '../version.js';
import { describePostgresUrl } from '../node/store/postgres/store-url.js';
import { errorResponse } from './error-response.js';
import {
  BaselineAcceptRequest,
  BaselineAddRequest,
  BaselineRemoveRequest,
  BaselinesRequest,
  BaselineTestCancelRequest,
  BaselineTestProgressNotification,
  BaselineTestRequest,
  FileVersionRequest,
  PublishRequest,
  ReadyNotification,
  RunCancelRequest,
  ReplayStartRequest,
  CompareRequest,
  RunDetailsRequest,
  RunInputsRequest,
  RunProgressNotification,
  RunStartRequest,
  RunsRequest,
  SecretsRequest,
  StepResultsRequest,
  SnapshotRequest,
  StatsRequest,
  StoreChangedNotification,
  StorePasswordRequest,
  type StoreChange,
  VersionsRequest,
  ChannelsRequest,
  ChannelChangeRequest,
  ChannelHealthRequest,
  VersionTextRequest,
  WorkflowsRequest,
} from './protocol.js';
import { BaselineSessions } from './baseline-sessions.js';
import { RunSessions } from './run-sessions.js';
import { StoreChangeFeed } from './store-change-feed.js';
import { StoreWatcher } from './store-watcher.js';
import { WorkspaceService } from './workspace-service.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      folder: { type: 'string' },
      store: { type: 'string' },
      // The editor's workspace is not trusted (Restricted Mode).
      restricted: { type: 'boolean' },
    },
  });
  if (values.folder === undefined) throw new Error('--folder <workspace folder> is required');
  const connection = createMessageConnection(
    new IPCMessageReader(process),
    new IPCMessageWriter(process),
  );
  const log = (message: string): void => {
    process.stderr.write(`${message}\n`);
  };
  const service = await WorkspaceService.open(values.folder, values.store);
  service.restricted = values.restricted === true;
  // A team store's password lives in the editor's secret storage, asked for when the store opens.
  service.storePassword = async (store) =>
    (await connection.sendRequest(StorePasswordRequest, { store })).password;
  const runs = new RunSessions(
    service.workspace,
    () => service.storeForRuns(),
    (params) => void connection.sendNotification(RunProgressNotification, params),
  );
  const baselines = new BaselineSessions(
    service.workspace,
    () => service.storeForRuns(),
    (params) => void connection.sendNotification(BaselineTestProgressNotification, params),
  );
  register(connection, service, runs, baselines, log);
  const notify = (changes: StoreChange[]): void =>
    void connection.sendNotification(StoreChangedNotification, { changes });
  // The files of .lockstep/ (baselines; the store too, unless it is in PostgreSQL, which tells
  // of its own changes).
  const watcher = new StoreWatcher(service.workspace.storeDir, notify);
  const location = await service.workspace.storeLocation().catch(() => undefined);
  const feed =
    location?.kind === 'postgres'
      ? new StoreChangeFeed(() => service.existingStore(), notify)
      : undefined;
  const stop = (): void => {
    watcher.close();
    feed?.close();
    runs.cancelAll();
    baselines.cancelAll();
    void service.close().finally(() => process.exit(0));
  };
  connection.onClose(stop);
  process.on('disconnect', stop);
  connection.listen();
  await connection.sendNotification(ReadyNotification, {
    root: service.workspace.root,
    store: service.workspace.storeDir,
    version: LOCKSTEP_VERSION,
    ...(location?.kind === 'postgres' ? { teamStore: describePostgresUrl(location.url) } : {}),
  });
}

/** One handler per request; a failure answers the error the extension shows. */
function register(
  connection: MessageConnection,
  service: WorkspaceService,
  runs: RunSessions,
  baselines: BaselineSessions,
  log: (message: string) => void,
): void {
  const answer =
    <P, R>(handle: (params: P) => Promise<R>) =>
    async (params: P): Promise<R> => {
      try {
        return await handle(params);
      } catch (error) {
        throw errorResponse(error, log);
      }
    };
  connection.onRequest(
    FileVersionRequest,
    answer((p) => service.fileVersion(p.file)),
  );
  connection.onRequest(
    SnapshotRequest,
    answer((p) => service.snapshot(p.file)),
  );
  connection.onRequest(
    PublishRequest,
    answer((p) => service.publish(p.file, p.message)),
  );
  connection.onRequest(
    VersionsRequest,
    answer(async (p) => ({ versions: await service.versions(p.workflow) })),
  );
  connection.onRequest(
    ChannelsRequest,
    answer(async (p) => ({ channels: await service.channels(p.workflow) })),
  );
  connection.onRequest(
    ChannelHealthRequest,
    answer((p) => service.channelHealth(p.workflow, p.channel)),
  );
  connection.onRequest(
    ChannelChangeRequest,
    answer((p) => service.changeChannel(p)),
  );
  connection.onRequest(
    WorkflowsRequest,
    answer(async () => ({ workflows: await service.workflows() })),
  );
  connection.onRequest(
    RunsRequest,
    answer((p) => service.runs(p)),
  );
  connection.onRequest(
    RunDetailsRequest,
    answer((p) => service.runDetails(p.id)),
  );
  connection.onRequest(
    VersionTextRequest,
    answer((p) => service.versionText(p.workflow, p.version)),
  );
  connection.onRequest(
    RunStartRequest,
    answer((p) => runs.start(p)),
  );
  connection.onRequest(
    ReplayStartRequest,
    answer((p) => runs.replay(p)),
  );
  connection.onRequest(
    CompareRequest,
    answer((p) => service.compare(p.a, p.b)),
  );
  connection.onRequest(
    RunCancelRequest,
    answer(async (p) => ({ cancelled: runs.cancel(p.run) })),
  );
  connection.onRequest(
    RunInputsRequest,
    answer((p) => service.runInputs(p.ref)),
  );
  connection.onRequest(
    StepResultsRequest,
    answer((p) => service.stepResults(p.file, p.text)),
  );
  connection.onRequest(
    SecretsRequest,
    answer(() => service.secrets()),
  );
  connection.onRequest(
    BaselinesRequest,
    answer(async (p) => ({ baselines: await baselines.list(p.workflow) })),
  );
  connection.onRequest(
    BaselineAddRequest,
    answer((p) => baselines.add(p.run)),
  );
  connection.onRequest(
    BaselineRemoveRequest,
    answer(async (p) => ({ removed: await baselines.remove(p.workflow, p.run) })),
  );
  connection.onRequest(
    BaselineAcceptRequest,
    answer(async (p) => ({ baseline: await baselines.accept(p.workflow, p.replaced, p.run) })),
  );
  connection.onRequest(
    BaselineTestRequest,
    answer((p) => baselines.test(p)),
  );
  connection.onRequest(
    BaselineTestCancelRequest,
    answer(async (p) => ({ cancelled: baselines.cancel(p.session) })),
  );
  connection.onRequest(StatsRequest, () => {
    const memory = process.memoryUsage();
    return {
      rss: memory.rss,
      heapUsed: memory.heapUsed,
      uptimeMs: Math.round(process.uptime() * 1000),
    };
  });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `lockstep service: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
