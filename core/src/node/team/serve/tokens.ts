/**
 * Bearer tokens of `lockstep serve`. The tokens file (kept out of the workspace's config, given by
 * `--tokens` or LOCKSTEP_SERVE_TOKENS) holds one line per token: `sha256:<hex> <scope> <name>`,
 * never the token itself; `lockstep serve token create` prints a new token once and appends its
 * hash. A presented token is hashed and compared with every line in constant time.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFile, readFile, stat } from 'node:fs/promises';
import { FileError, UsageError } from '../../../model/errors.js';

/** What a token may do: `read` runs, also start them (`run`), or everything (`admin`). */
export type TokenScope = 'read' | 'run' | 'admin';

export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'run', 'admin'];

interface TokenLine {
  readonly hash: Buffer;
  readonly scope: TokenScope;
  readonly name: string;
}

/** Whether a token of `held` scope may do what needs `needed`. */
export function scopeAllows(held: TokenScope, needed: TokenScope): boolean {
  return TOKEN_SCOPES.indexOf(held) >= TOKEN_SCOPES.indexOf(needed);
}

/**
 * Parses a scope name.
 * @throws UsageError naming the scopes.
 */
export function parseScope(text: string): TokenScope {
  if ((TOKEN_SCOPES as readonly string[]).includes(text)) return text as TokenScope;
  throw new UsageError(`--scope ${text}: a token's scope is read, run or admin`);
}

/**
 * Creates a token of `scope`, appends its hash to `file` (created readable by its owner only),
 * and returns the token: the only time it is ever shown.
 */
export async function createToken(file: string, scope: TokenScope, name: string): Promise<string> {
  if (/\s/.test(name) || name === '') {
    throw new UsageError(`--name '${name}': a token's name is one word (no spaces)`);
  }
  const token = `lst_${randomBytes(32).toString('base64url')}`;
  await appendFile(file, `sha256:${hashToken(token).toString('hex')} ${scope} ${name}\n`, {
    mode: 0o600,
  });
  return token;
}

function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The tokens file, read again whenever it changes on disk (so a new token works at once). */
export class TokenFile {
  private lines: readonly TokenLine[] = [];
  private readAt = -1;

  constructor(readonly file: string) {}

  /**
   * Reads the file now: a server refuses to start on a missing or broken tokens file.
   * @throws FileError naming the file and the bad line.
   */
  async load(): Promise<void> {
    const info = await stat(this.file).catch(() => {
      throw new FileError(
        'unreadable-file',
        `${this.file}: no tokens file: create one with lockstep serve token create --scope admin --tokens ${this.file}`,
      );
    });
    if (info.mtimeMs === this.readAt) return;
    const text = await readFile(this.file, 'utf8');
    this.lines = parseTokenLines(this.file, text);
    this.readAt = info.mtimeMs;
  }

  /** The scope of `token`, or undefined when no line holds its hash. */
  async scopeOf(token: string): Promise<TokenScope | undefined> {
    await this.load();
    const presented = hashToken(token);
    let found: TokenScope | undefined;
    // Every line is compared, in constant time each, so timing tells nothing of which matched.
    for (const line of this.lines) {
      if (timingSafeEqual(line.hash, presented)) found = line.scope;
    }
    return found;
  }
}

function parseTokenLines(file: string, text: string): TokenLine[] {
  const lines: TokenLine[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const [hash, scope, name = ''] = line.split(/\s+/);
    const hex = /^sha256:([0-9a-f]{64})$/.exec(hash ?? '')?.[1];
    if (!hex || !(TOKEN_SCOPES as readonly string[]).includes(scope ?? '')) {
      throw new FileError(
        'unreadable-file',
        `${file}:${index + 1}: not a token line: write 'sha256:<64 hex digits> <read|run|admin> <name>' (lockstep serve token create writes them)`,
      );
    }
    lines.push({ hash: Buffer.from(hex, 'hex'), scope: scope as TokenScope, name });
  });
  return lines;
}
