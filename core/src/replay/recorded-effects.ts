/** A run's recorded effects, looked up by identity: (path, kind, request key, occurrence). */
import type { EffectKind, EffectRecord } from '../model/runs.js';

export class RecordedEffects {
  /**
   * By request key: the key alone almost always tells effects apart (it hashes the whole
   * request), so a lookup compares path, kind and occurrence among a handful at most, without
   * building an identity string per effect.
   */
  private readonly byKey = new Map<string, EffectRecord[]>();
  /** For divergence reports only: made on first use (a replay that matches never needs them). */
  private byPathAndKind: Map<string, EffectRecord[]> | undefined;
  private byKind: Map<EffectKind, EffectRecord[]> | undefined;

  constructor(private readonly effects: readonly EffectRecord[]) {
    for (const effect of effects) push(this.byKey, effect.key, effect);
  }

  /** The effect recorded with exactly this identity (the first, should a journal repeat one). */
  get(path: string, kind: EffectKind, key: string, occurrence: number): EffectRecord | undefined {
    return this.byKey
      .get(key)
      ?.find((e) => e.path === path && e.kind === kind && e.occurrence === occurrence);
  }

  /** Effects of this kind recorded at this path (what a divergence compares against). */
  at(path: string, kind: EffectKind): readonly EffectRecord[] {
    if (!this.byPathAndKind) {
      this.byPathAndKind = new Map();
      for (const effect of this.effects)
        push(this.byPathAndKind, `${effect.path}\u0000${effect.kind}`, effect);
    }
    return this.byPathAndKind.get(`${path}\u0000${kind}`) ?? [];
  }

  /** Every effect of this kind, wherever it was recorded. */
  ofKind(kind: EffectKind): readonly EffectRecord[] {
    if (!this.byKind) {
      this.byKind = new Map();
      for (const effect of this.effects) push(this.byKind, effect.kind, effect);
    }
    return this.byKind.get(kind) ?? [];
  }
}

function push<K>(map: Map<K, EffectRecord[]>, key: K, effect: EffectRecord): void {
  const list = map.get(key);
  if (list) list.push(effect);
  else map.set(key, [effect]);
}
