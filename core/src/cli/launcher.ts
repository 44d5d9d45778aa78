/**
 * The `lockstep` executable's entry (dist/cli.js): answers `--version` at once, and otherwise
 * loads the command line (dist/cli-main.js, built from bin.ts) and runs it. Loading the command
 * line means parsing and starting every command's code; a version check, the most frequent
 * command in scripts, needs none of it.
 */
import { createRequire } from 'node:module';
import { LOCKSTEP_VERSION } from '../version.js';
import { writeOut } from './standard-streams.js';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  writeOut(`${LOCKSTEP_VERSION}\n`);
} else {
  // A require the bundler leaves alone: the command line is its own bundle (with its chunks),
  // loaded only now.
  createRequire(import.meta.url)('./cli-main.js');
}
