/**
 * Which editor `npm start` opens, decided from facts about the machine. Pure, so a unit test
 * covers every branch; launch.ts gathers the facts and carries the choice out.
 */

/** What launch.ts found out about this machine. */
export interface EditorFacts {
  /** The `code` command found on PATH (VS Code's shell command), if any. */
  readonly code?: string;
  /** Whether setup.sh has already installed code-server in test/e2e/node_modules. */
  readonly codeServerInstalled: boolean;
  /** Why setup.sh cannot run here (see `setupBlocker`), or undefined when it can. */
  readonly setupBlocker?: string;
  /** `LOCKSTEP_EDITOR`: forces one editor (`code` or `code-server`) when set. */
  readonly preferred?: string;
}

export type EditorChoice =
  /** Run the user's VS Code with the repository as an extension under development. */
  | { readonly kind: 'code'; readonly command: string; readonly args: readonly string[] }
  /** Serve VS Code with code-server on 127.0.0.1, after running setup.sh when `setup`. */
  | { readonly kind: 'code-server'; readonly setup: boolean }
  /** Nothing can be started here: print `message` (what to install) and fail. */
  | { readonly kind: 'instructions'; readonly message: string };

/** What to install by hand when setup.sh cannot run (kept in step with setup.sh's own text). */
export const MANUAL_SETUP = [
  'Install VS Code and put its `code` command on PATH (in VS Code: "Shell Command: Install',
  "'code' command in PATH\"), then run `npm start` again. Or install code-server by hand:",
  'a C/C++ toolchain and Kerberos headers (for its native modules), ripgrep and Chromium, then',
  '`npm ci --unsafe-perm` in test/e2e/.',
].join('\n');

/**
 * Chooses the editor: `code` when it is on PATH (unless `LOCKSTEP_EDITOR=code-server`), else
 * code-server, installed first by setup.sh when missing; when setup.sh cannot run either, the
 * install instructions.
 *
 * @param facts what the machine has
 * @param repo the repository root (the extension under development)
 * @param folder the folder to open (examples/)
 */
export function chooseEditor(facts: EditorFacts, repo: string, folder: string): EditorChoice {
  const wantsCodeServer = facts.preferred === 'code-server';
  if (facts.code && !wantsCodeServer) {
    return {
      kind: 'code',
      command: facts.code,
      args: [`--extensionDevelopmentPath=${repo}`, folder],
    };
  }
  if (facts.preferred === 'code' && !facts.code) {
    return {
      kind: 'instructions',
      message: `LOCKSTEP_EDITOR=code, but there is no \`code\` command on PATH.\n${MANUAL_SETUP}`,
    };
  }
  if (facts.codeServerInstalled) return { kind: 'code-server', setup: false };
  if (facts.setupBlocker === undefined) return { kind: 'code-server', setup: true };
  return {
    kind: 'instructions',
    message: `No \`code\` command on PATH, and code-server cannot be installed here: ${facts.setupBlocker}\n${MANUAL_SETUP}`,
  };
}

/** What setup.sh needs from the machine (launch.ts reads them from the OS). */
export interface SetupHost {
  readonly platform: string;
  readonly arch: string;
  readonly hasAptGet: boolean;
  readonly isRoot: boolean;
  readonly hasSudo: boolean;
}

/**
 * Why setup.sh cannot run on `host`, or undefined when it can: it needs Linux with apt-get (Debian,
 * Ubuntu), x64 or arm64 (the ripgrep archive it prepares), and root or sudo (apt-get install).
 */
export function setupBlocker(host: SetupHost): string | undefined {
  if (host.platform !== 'linux') return `this is ${host.platform}, not Linux.`;
  if (!host.hasAptGet) return 'apt-get is not available (setup.sh needs Debian or Ubuntu).';
  if (host.arch !== 'x64' && host.arch !== 'arm64') return `the ${host.arch} CPU is not supported.`;
  if (!host.isRoot && !host.hasSudo) return 'it needs root or sudo for apt-get.';
  return undefined;
}
