/**
 * A minimal LSP client over a child process's stdio, for benchmarks: it starts a server, opens
 * and edits one document, and times each edit until the server publishes diagnostics for it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';

interface Published {
  readonly uri: string;
  readonly version?: number;
  readonly diagnostics: readonly { message: string }[];
}

export class StdioLspClient {
  private readonly connection: MessageConnection;
  private readonly child: ChildProcess;
  private waiter: ((p: Published, at: number) => boolean) | undefined;
  private version = 0;

  /**
   * @param args the server's command line after `node` (`--stdio` included)
   * @param configuration answers `workspace/configuration` requests (one value per item asked)
   */
  constructor(
    args: readonly string[],
    private readonly configuration: (section: string) => unknown = () => null,
  ) {
    this.child = spawn(process.execPath, [...args], { stdio: ['pipe', 'pipe', 'ignore'] });
    this.connection = createMessageConnection(
      new StreamMessageReader(this.child.stdout!),
      new StreamMessageWriter(this.child.stdin!),
    );
    this.connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      const at = performance.now();
      if (this.waiter?.(p, at)) this.waiter = undefined;
    });
    this.connection.onRequest('workspace/configuration', (p: { items: { section?: string }[] }) =>
      p.items.map((item) => this.configuration(item.section ?? '')),
    );
    this.connection.onRequest('client/registerCapability', () => null);
    this.connection.onRequest('window/workDoneProgress/create', () => null);
    this.connection.listen();
  }

  get pid(): number {
    return this.child.pid!;
  }

  async initialize(rootUri: string, settings?: unknown): Promise<void> {
    await this.connection.sendRequest('initialize', {
      processId: process.pid,
      rootUri,
      workspaceFolders: [{ uri: rootUri, name: 'bench' }],
      capabilities: {
        workspace: { configuration: true },
        textDocument: { publishDiagnostics: { versionSupport: true } },
      },
    });
    await this.connection.sendNotification('initialized', {});
    if (settings !== undefined) {
      await this.connection.sendNotification('workspace/didChangeConfiguration', { settings });
    }
  }

  /** Opens a document and waits for its first diagnostics. */
  async open(uri: string, text: string, deadlineMs: number): Promise<Published> {
    this.version = 1;
    const published = this.next(uri, 1, deadlineMs);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version: 1, text },
    });
    return (await published).params;
  }

  /**
   * Applies one incremental edit and resolves with the milliseconds until diagnostics for it
   * were published (for servers that do not send versions: the first publish after the edit).
   */
  async edit(
    uri: string,
    change: { range: unknown; text: string },
    deadlineMs: number,
  ): Promise<{ ms: number; params: Published }> {
    const version = ++this.version;
    const published = this.next(uri, version, deadlineMs);
    const start = performance.now();
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [change],
    });
    const { at, params } = await published;
    return { ms: at - start, params };
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The server process's resident memory (Linux: VmRSS; elsewhere undefined), in MB. */
  rssMb(): number | undefined {
    try {
      const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
      const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
      return kb === undefined ? undefined : Math.round(Number(kb) / 102.4) / 10;
    } catch {
      return undefined;
    }
  }

  async stop(): Promise<void> {
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    await this.connection.sendRequest('shutdown').catch(() => undefined);
    await this.connection.sendNotification('exit').catch(() => undefined);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    this.connection.dispose();
  }

  private next(
    uri: string,
    version: number,
    deadlineMs: number,
  ): Promise<{ at: number; params: Published }> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = undefined;
        reject(new Error(`no diagnostics for ${uri} v${version} within ${deadlineMs} ms`));
      }, deadlineMs);
      this.waiter = (params, at) => {
        if (params.uri !== uri || (params.version !== undefined && params.version !== version)) {
          return false;
        }
        clearTimeout(timer);
        resolve({ at, params });
        return true;
      };
    });
  }
}
