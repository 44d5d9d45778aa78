/**
 * An LSP client for tests: it talks to the language server over a real JSON-RPC connection,
 * either in this process (two in-memory stream pairs) or to `node dist/server.js --stdio` in a
 * child process. Tests drive the server only through the protocol, never by calling handlers.
 */
import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import type { TestContext } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import {
  createConnection,
  StreamMessageReader as ServerReader,
  StreamMessageWriter as ServerWriter,
  type ClientCapabilities,
  type Diagnostic,
  type InitializeResult,
  type Position,
  type PublishDiagnosticsParams,
  type TextEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { startServer, type ServerOptions } from '../../server/src/connection.js';
import { ValidatedNotification, type ValidatedParams } from '../../server/src/protocol.js';

/** How long a test waits for the server before failing (a hang is a failure, not slowness). */
export const LSP_DEADLINE_MS = 15_000;

/** Capabilities a client like VS Code advertises (the server adapts to what a client lacks). */
export const RICH_CLIENT: ClientCapabilities = {
  textDocument: {
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    rename: { prepareSupport: true },
    publishDiagnostics: { relatedInformation: true, versionSupport: true },
  },
  workspace: { didChangeWatchedFiles: { dynamicRegistration: true }, workspaceFolders: true },
};

export interface StartOptions {
  /** The workspace folder (absolute path); none when omitted. */
  readonly root?: string;
  readonly capabilities?: ClientCapabilities;
  readonly initializationOptions?: unknown;
  /** In-process only: options of the server under test (test seams). */
  readonly server?: ServerOptions;
}

export class LspTestClient {
  /** Every publishDiagnostics received, in order. */
  readonly published: PublishDiagnosticsParams[] = [];
  readonly validated: ValidatedParams[] = [];
  /** Messages the server logged to the client's console. */
  readonly logs: string[] = [];
  /** Dynamic registrations the server asked for. */
  readonly registrations: unknown[] = [];
  /** What the server answered to `initialize` (its capabilities). */
  initializeResult: InitializeResult | undefined;
  private readonly versions = new Map<string, number>();
  private readonly texts = new Map<string, string>();
  private readonly waiters = new Set<() => void>();

  constructor(
    readonly connection: MessageConnection,
    /** Writes bytes straight into the server's input (in-process clients only). */
    private readonly rawWrite?: (data: string) => void,
  ) {
    connection.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      this.wake();
    });
    connection.onNotification(ValidatedNotification, (p: ValidatedParams) => {
      this.validated.push(p);
      this.wake();
    });
    connection.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      this.wake();
    });
    connection.onRequest('client/registerCapability', (p: { registrations: unknown[] }) => {
      this.registrations.push(...p.registrations);
      this.wake();
      return null;
    });
    connection.listen();
  }

  async initialize(options: StartOptions): Promise<void> {
    const rootUri = options.root ? pathToFileURL(options.root).href : null;
    this.initializeResult = await this.connection.sendRequest<InitializeResult>('initialize', {
      processId: null,
      rootUri,
      workspaceFolders: rootUri ? [{ uri: rootUri, name: 'root' }] : null,
      capabilities: options.capabilities ?? RICH_CLIENT,
      initializationOptions: options.initializationOptions,
    });
    await this.connection.sendNotification('initialized', {});
  }

  request<R>(method: string, params: unknown): Promise<R> {
    return this.connection.sendRequest(method, params) as Promise<R>;
  }

  async open(uri: string, text: string, version = 1): Promise<void> {
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId: 'yaml', version, text },
    });
  }

  /** Replaces the whole text; returns the new version. */
  async change(uri: string, text: string): Promise<number> {
    const version = (this.versions.get(uri) ?? 0) + 1;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ text }],
    });
    return version;
  }

  /**
   * Sends one full-text change per text as a single write of JSON-RPC frames, as a socket
   * delivers messages that queued up while the server was busy. In-process clients only.
   * Returns the versions sent.
   */
  burst(uri: string, texts: readonly string[]): number[] {
    if (!this.rawWrite) throw new Error('burst needs an in-process client');
    const versions: number[] = [];
    let frames = '';
    for (const text of texts) {
      const version = (this.versions.get(uri) ?? 0) + 1;
      this.versions.set(uri, version);
      this.texts.set(uri, text);
      versions.push(version);
      const json = JSON.stringify({
        jsonrpc: '2.0',
        method: 'textDocument/didChange',
        params: { textDocument: { uri, version }, contentChanges: [{ text }] },
      });
      frames += `Content-Length: ${Buffer.byteLength(json, 'utf8')}\r\n\r\n${json}`;
    }
    this.rawWrite(frames);
    return versions;
  }

  /** Applies edits the server proposed (a quick fix, a rename) as an incremental change. */
  async applyEdits(uri: string, edits: readonly TextEdit[]): Promise<string> {
    const before = TextDocument.create(uri, 'yaml', 0, this.text(uri));
    const text = TextDocument.applyEdits(before, [...edits]);
    await this.change(uri, text);
    return text;
  }

  async close(uri: string): Promise<void> {
    this.versions.delete(uri);
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  /** The LSP position of the `occurrence`-th `marker` in the document's text, plus `delta`. */
  positionOf(uri: string, marker: string, delta = 0, occurrence = 0): Position {
    const text = this.text(uri);
    let at = -1;
    for (let i = 0; i <= occurrence; i++) {
      at = text.indexOf(marker, at + 1);
      if (at === -1) throw new Error(`'${marker}' not found in ${uri}`);
    }
    return TextDocument.create(uri, 'yaml', 0, text).positionAt(at + delta);
  }

  /**
   * Waits until `check` returns something other than undefined: re-checked on every message from
   * the server, and every 10 ms for conditions that no message announces.
   */
  async waitFor<T>(
    what: string,
    check: () => T | undefined,
    deadlineMs = LSP_DEADLINE_MS,
  ): Promise<T> {
    const now = check();
    if (now !== undefined) return now;
    return new Promise<T>((resolve, reject) => {
      const done = (): void => {
        clearTimeout(timer);
        clearInterval(poll);
        this.waiters.delete(waiter);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${deadlineMs} ms waiting for ${what}`));
      }, deadlineMs);
      const waiter = (): void => {
        const value = check();
        if (value === undefined) return;
        done();
        resolve(value);
      };
      const poll = setInterval(waiter, 10);
      this.waiters.add(waiter);
    });
  }

  /**
   * The diagnostics of the document's current version (or of any publish when `anyVersion`),
   * once published, and that satisfy `accept` if given.
   */
  diagnostics(
    uri: string,
    accept: (diagnostics: Diagnostic[]) => boolean = () => true,
  ): Promise<Diagnostic[]> {
    return this.waitFor(`diagnostics of ${uri} v${this.version(uri)}`, () => {
      const last = this.lastPublished(uri);
      return last && last.version === this.version(uri) && accept(last.diagnostics)
        ? last.diagnostics
        : undefined;
    });
  }

  lastPublished(uri: string): PublishDiagnosticsParams | undefined {
    return this.published.filter((p) => p.uri === uri).at(-1);
  }

  async shutdown(): Promise<void> {
    await this.connection.sendRequest('shutdown');
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/**
 * Starts the server in this process over two in-memory stream pairs and initializes it. The
 * connection is torn down when the test ends.
 */
export async function startInProcess(
  t: TestContext,
  options: StartOptions = {},
): Promise<LspTestClient> {
  const toServer = new PassThrough();
  const toClient = new PassThrough();
  // Readers and writers (not raw streams) so the server library never ends the test process.
  const serverConnection = createConnection(new ServerReader(toServer), new ServerWriter(toClient));
  startServer(serverConnection, options.server);
  const client = new LspTestClient(
    createMessageConnection(new StreamMessageReader(toClient), new StreamMessageWriter(toServer)),
    (data) => toServer.write(data),
  );
  t.after(async () => {
    await client.shutdown().catch(() => undefined);
    client.connection.dispose();
    serverConnection.dispose();
    toServer.end();
    toClient.end();
  });
  await client.initialize(options);
  return client;
}

/** Starts `node <script> --stdio` as a child process, initializes it, and stops it after the test. */
export async function startChildProcess(
  t: TestContext,
  script: string,
  options: StartOptions = {},
): Promise<LspTestClient> {
  const child = spawn(process.execPath, [script, '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const client = new LspTestClient(
    createMessageConnection(
      new StreamMessageReader(child.stdout),
      new StreamMessageWriter(child.stdin),
    ),
  );
  t.after(async () => {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    await client.shutdown().catch(() => undefined);
    await client.connection.sendNotification('exit').catch(() => undefined);
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
    client.connection.dispose();
    if (child.exitCode !== 0 && stderr) t.diagnostic(`server stderr: ${stderr}`);
  });
  await client.initialize(options);
  return client;
}

/** A diagnostic's message as text (LSP 3.18 types also allow markup; this server sends text). */
export function messageOf(diagnostic: Diagnostic): string {
  return typeof diagnostic.message === 'string' ? diagnostic.message : diagnostic.message.value;
}
