/**
 * Who is publishing and from which commit. Runs `git` directly (no shell) and treats any failure
 * as "not in git": provenance is informative and must never block a snapshot or a publish.
 */
import os from 'node:os';
import path from 'node:path';
import type { GitInfo } from '../../store/records.js';

async function git(cwd: string, args: readonly string[]): Promise<string | undefined> {
  // Loaded when git is first asked: child processes bring in sockets and streams, which a
  // command that never asks git (listing runs in a workspace) need not load.
  const { execFile } = await import('node:child_process');
  return new Promise((resolve) => {
    execFile('git', [...args], { cwd, timeout: 5_000, windowsHide: true }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim());
    });
  });
}

/** The top of the git work tree holding `dir`, or undefined. */
export async function gitRoot(dir: string): Promise<string | undefined> {
  const top = await git(dir, ['rev-parse', '--show-toplevel']);
  return top ? path.resolve(top) : undefined;
}

/**
 * The current commit, and whether `file` differs from it (modified, staged or untracked).
 * Undefined outside a git repository or before the first commit.
 */
export async function gitInfoFor(file: string): Promise<GitInfo | null> {
  const dir = path.dirname(file);
  const commit = await git(dir, ['rev-parse', 'HEAD']);
  if (!commit) return null;
  const status = await git(dir, ['status', '--porcelain', '--', path.basename(file)]);
  return { commit, dirty: status === undefined || status !== '' };
}

/**
 * Who is acting: `LOCKSTEP_AUTHOR` when set (a CI bot, say), else git's `user.name <user.email>`,
 * else the operating-system user.
 */
export async function currentAuthor(cwd: string): Promise<string> {
  const fromEnv = process.env['LOCKSTEP_AUTHOR'];
  if (fromEnv) return fromEnv;
  const name = await git(cwd, ['config', 'user.name']);
  if (name) {
    const email = await git(cwd, ['config', 'user.email']);
    return email ? `${name} <${email}>` : name;
  }
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** The subject line of the commit checked out in `cwd`, or undefined outside git. */
export async function commitSubject(cwd: string): Promise<string | undefined> {
  const subject = await git(cwd, ['log', '-1', '--format=%s']);
  return subject === '' ? undefined : subject;
}
