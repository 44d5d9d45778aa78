/**
 * One workspace service process (dist/service.js) for one workspace folder: started without
 * waiting for it, spoken to over Node IPC with the typed messages of the service's protocol file,
 * and started again when it dies (with a growing pause, up to a limit) while the UI says so.
 */
import { fork, type ChildProcess } from 'node:child_process';
import * as vscode from 'vscode';
import {
  createMessageConnection,
  IPCMessageReader,
  IPCMessageWriter,
  Trace,
  type MessageConnection,
  type RequestType,
  type RequestType0,
} from 'vscode-jsonrpc/node';
import {
  BaselineTestProgressNotification,
  ReadyNotification,
  RunProgressNotification,
  StoreChangedNotification,
  StorePasswordRequest,
  type BaselineTestProgressParams,
  type ReadyParams,
  type RunProgressParams,
  type StoreChangedParams,
} from '../../../core/src/service/protocol.js';

/** Where a service is in its life, as the status bar shows it. */
export type ServiceState = 'starting' | 'ready' | 'restarting' | 'stopped';

/** Restarts allowed within `CRASH_WINDOW_MS` before the service is left stopped. */
const MAX_CRASHES = 5;
const CRASH_WINDOW_MS = 3 * 60_000;

export class ServiceClient implements vscode.Disposable {
  private child: ChildProcess | undefined;
  private connection: MessageConnection | undefined;
  private ready: Promise<MessageConnection>;
  private resolveReady!: (connection: MessageConnection) => void;
  private crashes: number[] = [];
  private disposed = false;
  private stateValue: ServiceState = 'starting';
  private readonly stateEmitter = new vscode.EventEmitter<ServiceState>();
  private readonly changeEmitter = new vscode.EventEmitter<StoreChangedParams>();
  private readonly progressEmitter = new vscode.EventEmitter<RunProgressParams>();
  private readonly testEmitter = new vscode.EventEmitter<BaselineTestProgressParams>();
  /** Fires when the service starts, dies, restarts or gives up. */
  readonly onDidChangeState = this.stateEmitter.event;
  /** Fires when the store changed (whoever wrote it), and after each (re)start. */
  readonly onDidChangeStore = this.changeEmitter.event;
  /** Fires as the runs this window started move (step started, step finished, run finished). */
  readonly onDidRunProgress = this.progressEmitter.event;
  /** Fires as the baseline tests this window started move (a replay started, a verdict). */
  readonly onDidTestProgress = this.testEmitter.event;
  /** What the service said when it became ready. */
  info: ReadyParams | undefined;

  constructor(
    /** dist/service.js */
    private readonly module: string,
    /** The workspace folder it serves. */
    readonly folder: string,
    private readonly output: vscode.LogOutputChannel,
    /** A team store's password from the editor's secret storage, by the store's URL. */
    private readonly storePassword: (store: string) => Promise<string | undefined> = async () =>
      undefined,
  ) {
    this.ready = this.newReady();
    // Started after activation returns: forking a process takes milliseconds activation
    // should not wait for.
    setTimeout(() => {
      if (!this.disposed && !this.child) this.start();
    }, 0);
  }

  get state(): ServiceState {
    return this.stateValue;
  }

  /** The process id, while one runs (tests and the log name it). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Sends a request once the service is ready.
   * @throws the service's error (a JSON-RPC error whose `data.code` is a Lockstep code), or an
   *   error saying the service stopped.
   */
  async request<P, R>(type: RequestType<P, R, void>, params: P): Promise<R>;
  async request<R>(type: RequestType0<R, void>): Promise<R>;
  async request(
    type: RequestType<unknown, unknown, void> | RequestType0<unknown, void>,
    params?: unknown,
  ): Promise<unknown> {
    if (this.stateValue === 'stopped') {
      throw new Error(
        'the Lockstep workspace service is stopped: run "Lockstep: Restart Workspace Service"',
      );
    }
    const connection = await this.ready;
    return params === undefined
      ? connection.sendRequest(type as RequestType0<unknown, void>)
      : connection.sendRequest(type as RequestType<unknown, unknown, void>, params);
  }

  /** What the service said when it became ready, once it has. */
  async readyInfo(): Promise<ReadyParams> {
    await this.ready;
    return this.info!;
  }

  /** Stops the process and starts a new one (the user's command, or after it gave up). */
  restart(): void {
    this.crashes = [];
    this.stop();
    this.ready = this.newReady();
    this.start();
  }

  dispose(): void {
    this.disposed = true;
    this.stop();
    this.stateEmitter.dispose();
    this.changeEmitter.dispose();
    this.progressEmitter.dispose();
    this.testEmitter.dispose();
  }

  private newReady(): Promise<MessageConnection> {
    return new Promise((resolve) => (this.resolveReady = resolve));
  }

  private setState(state: ServiceState): void {
    this.stateValue = state;
    this.stateEmitter.fire(state);
  }

  private start(): void {
    const started = Date.now();
    // In Restricted Mode the service does not connect to a store the workspace's config names.
    const restricted = vscode.workspace.isTrusted ? [] : ['--restricted'];
    const child = fork(this.module, ['--folder', this.folder, ...restricted], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      execArgv: [],
    });
    this.child = child;
    const connection = createMessageConnection(
      new IPCMessageReader(child),
      new IPCMessageWriter(child),
    );
    this.connection = connection;
    child.stderr
      ?.setEncoding('utf8')
      .on('data', (text: string) =>
        this.output.warn(`workspace service (${this.folder}): ${text.trimEnd()}`),
      );
    connection.onNotification(ReadyNotification, (info) => {
      this.info = info;
      this.output.info(
        `workspace service for ${info.root} ready in ${Date.now() - started} ms (pid ${child.pid}, store ${info.store})`,
      );
      this.setState('ready');
      this.resolveReady(connection);
      this.changeEmitter.fire({ changes: ['versions', 'runs', 'baselines'] });
    });
    connection.onRequest(StorePasswordRequest, async ({ store }) => {
      const password = await this.storePassword(store);
      return password === undefined ? {} : { password };
    });
    connection.onNotification(StoreChangedNotification, (params) =>
      this.changeEmitter.fire(params),
    );
    connection.onNotification(BaselineTestProgressNotification, (params) =>
      this.testEmitter.fire(params),
    );
    connection.onNotification(RunProgressNotification, (params) =>
      this.progressEmitter.fire(params),
    );
    // Every message's name, at log level Trace (Developer: Set Log Level… on the Lockstep
    // channel). Never Trace.Verbose: a run's start carries secret values.
    void connection.trace(Trace.Messages, {
      log: (message: string, data?: string) =>
        this.output.trace(`service: ${message}${data ? ` ${data}` : ''}`),
    });
    connection.listen();
    child.on('exit', (code, signal) => {
      connection.dispose();
      if (this.child !== child || this.disposed) return;
      this.child = undefined;
      this.connection = undefined;
      this.output.warn(
        `workspace service for ${this.folder} stopped (${signal ?? `exit ${code}`})`,
      );
      this.crashed();
    });
  }

  /** Starts again after a pause, unless it keeps dying. */
  private crashed(): void {
    const now = Date.now();
    this.crashes = [...this.crashes.filter((at) => now - at < CRASH_WINDOW_MS), now];
    if (this.crashes.length > MAX_CRASHES) {
      this.output.error(
        `the workspace service for ${this.folder} stopped ${this.crashes.length} times in a few minutes; run "Lockstep: Restart Workspace Service" to try again`,
      );
      this.setState('stopped');
      return;
    }
    this.setState('restarting');
    this.ready = this.newReady();
    const pause = Math.min(250 * 2 ** (this.crashes.length - 1), 5_000);
    setTimeout(() => {
      if (!this.disposed && !this.child) this.start();
    }, pause);
  }

  private stop(): void {
    const child = this.child;
    this.child = undefined;
    this.connection?.dispose();
    this.connection = undefined;
    if (child && child.exitCode === null) child.kill();
  }
}
