/**
 * A seeded pseudo-random generator for the reliability suites: each suite draws every random
 * choice (when to kill, which operation, which byte to change) from one seed, printed at its
 * start, so a failure found once can be run again exactly with `LOCKSTEP_RELIABILITY_SEED=<n>`.
 */
import { randomInt } from 'node:crypto';

/** Random choices drawn from one 32-bit seed (mulberry32: small, fast, good enough for tests). */
export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** An integer in [from, to]. */
  between(from: number, to: number): number {
    return from + this.int(to - from + 1);
  }

  /** True with probability `p`. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /**
   * One element of `items`.
   * @throws Error when `items` is empty (a bug in the suite).
   */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('pick from an empty list');
    return items[this.int(items.length)]!;
  }

  /** A new generator whose seed is drawn from this one (for a worker process of its own). */
  fork(): Prng {
    return new Prng(this.int(4_294_967_296));
  }
}

/**
 * The suite's seed: `LOCKSTEP_RELIABILITY_SEED` when set (to reproduce a run), else a fresh one.
 * @throws Error when the variable is set but is not an unsigned 32-bit integer.
 */
export function suiteSeed(): number {
  const given = process.env['LOCKSTEP_RELIABILITY_SEED'];
  if (given === undefined || given === '') return randomInt(0, 2 ** 31);
  const seed = Number(given);
  if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
    throw new Error(`LOCKSTEP_RELIABILITY_SEED must be an integer in [0, 2^32), not '${given}'`);
  }
  return seed;
}

/**
 * A positive number from the environment variable `name`, else `fallback`.
 * @throws Error when the variable is set but is not a positive number.
 */
export function envNumber(name: string, fallback: number): number {
  const given = process.env[name];
  if (given === undefined || given === '') return fallback;
  const value = Number(given);
  if (!(Number.isFinite(value) && value > 0)) {
    throw new Error(`${name} must be a positive number, not '${given}'`);
  }
  return value;
}
