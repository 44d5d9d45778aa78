/** The CLI's exit codes, documented in the README; scripts and CI pipelines depend on them. */
export const EXIT = {
  /** Done, and nothing was wrong. */
  ok: 0,
  /** Done, and it found problems: validation errors, a failed verify, versions that differ. */
  problems: 1,
  /** Could not do what was asked: bad usage, unknown ref or file, unusable store. */
  usage: 2,
  /** The run was cancelled (Ctrl-C): 128 + SIGINT, as shells report it. */
  cancelled: 130,
  /** A bug in Lockstep (an unexpected error); the message asks for a report. */
  internal: 70,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
