/**
 * The `lockstep` executable's entry (dist/cli.js): answers `--version` at once, and otherwise
 * loads the command line (dist/cli-main.mjs, built from bin.ts) and runs it. Loading the command
 * line means parsing and starting every command's code; a version check, the most frequent
 * command in scripts, needs none of it.
 */
import { LOCKSTEP_VERSION } from '../version.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  process.stdout.write(`${LOCKSTEP_VERSION}\n`);
} else {
  // A URL the bundler leaves alone: the command line is its own bundle (an ES module with its
  // chunks), loaded only now.
  void import(new URL('./cli-main.mjs', import.meta.url).href);
}
