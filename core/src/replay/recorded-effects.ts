/** A run's recorded effects, looked up by identity: (path, kind, request key, occurrence). */
import type { EffectKind, EffectRecord } from '../runs/run-types.js';

export class RecordedEffects {
  private readonly byIdentity = new Map<string, EffectRecord>();
  private readonly byPathAndKind = new Map<string, EffectRecord[]>();
  private readonly byKind = new Map<EffectKind, EffectRecord[]>();

  constructor(effects: readonly EffectRecord[]) {
    for (const effect of effects) {
      this.byIdentity.set(
        identity(effect.path, effect.kind, effect.key, effect.occurrence),
        effect,
      );
      push(this.byPathAndKind, `${effect.path}\u0000${effect.kind}`, effect);
      push(this.byKind, effect.kind, effect);
    }
  }

  /** The effect recorded with exactly this identity. */
  get(path: string, kind: EffectKind, key: string, occurrence: number): EffectRecord | undefined {
    return this.byIdentity.get(identity(path, kind, key, occurrence));
  }

  /** Effects of this kind recorded at this path (what a divergence compares against). */
  at(path: string, kind: EffectKind): readonly EffectRecord[] {
    return this.byPathAndKind.get(`${path}\u0000${kind}`) ?? [];
  }

  /** Every effect of this kind, wherever it was recorded. */
  ofKind(kind: EffectKind): readonly EffectRecord[] {
    return this.byKind.get(kind) ?? [];
  }
}

function identity(path: string, kind: string, key: string, occurrence: number): string {
  return `${path}\u0000${kind}\u0000${key}\u0000${occurrence}`;
}

function push<K>(map: Map<K, EffectRecord[]>, key: K, effect: EffectRecord): void {
  const list = map.get(key);
  if (list) list.push(effect);
  else map.set(key, [effect]);
}
