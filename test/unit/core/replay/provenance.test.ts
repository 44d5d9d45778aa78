// Where each step's answers came from in a replay against another version: recorded, live,
// stubbed, missing, or tainted when it read (directly or through other steps, in a foreach
// iteration or not) a step whose answers were not all recorded.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { EffectSource } from '../../../../core/src/engine/host.js';
import { ProvenanceTracker, stepDependencies } from '../../../../core/src/replay/provenance.js';
import type {
  RecordedError,
  RunEvent,
  StepProvenance,
  StepRecord,
} from '../../../../core/src/model/runs.js';
import { draftOf } from '../../../helpers/engine-harness.js';
import { step } from '../../../helpers/replay-records.js';

const WORKFLOW = `name: tracked
inputs:
  ticket: { type: string }
models:
  m: { provider: openai, model: small }
steps:
  - id: classify
    llm: { model: m, prompt: '\${{ inputs.ticket }}' }
  - id: summary
    llm: { model: m, prompt: 'Summarise: \${{ inputs.ticket }}' }
  - id: shout
    transform: \${{ $uppercase(steps.summary.output) }}
  - id: louder
    transform: '\${{ steps.shout.output & "!" }}'
  - id: category
    transform: \${{ steps.classify.output }}
  - id: rewrite
    llm: { model: m, prompt: 'Rewrite: \${{ steps.summary.output }}' }
  - id: words
    foreach: \${{ $split(steps.summary.output, " ") }}
    as: word
    concurrency: 2
    llm: { model: m, prompt: 'Define \${{ word }}' }
  - id: parts
    foreach: \${{ $split(inputs.ticket, " ") }}
    as: part
    concurrency: 2
    llm: { model: m, prompt: 'Note on \${{ part }}' }
  - id: joined
    transform: \${{ $join(steps.parts.output, ", ") }}
  - id: gated
    when: \${{ steps.louder.output != "" }}
    transform: 1
  - id: unrelated
    transform: \${{ inputs.ticket }}
`;

const definition = draftOf(WORKFLOW).definition;

function effect(path: string, served: EffectSource | undefined, error?: RecordedError): RunEvent {
  return {
    type: 'effect',
    effect: {
      path,
      kind: 'llm',
      key: `rk1:sha256:${'1'.repeat(64)}`,
      occurrence: 0,
      request: null,
      ...(error ? { error } : { response: { content: 'x', finishReason: 'stop' } }),
      ...(served ? { served } : {}),
      latencyMs: 0,
      at: '2026-01-01T00:00:00.000Z',
    },
  };
}

function finished(path: string, extra: Partial<StepRecord> = {}): RunEvent {
  return { type: 'step-finished', record: step(path, null, extra) };
}

/** Feeds the events to a tracker; returns the provenance each step-finished event got. */
function track(events: readonly RunEvent[]): Map<string, StepProvenance | undefined> {
  const tracker = new ProvenanceTracker(definition);
  const out = new Map<string, StepProvenance | undefined>();
  for (const event of events) {
    const annotated = tracker.annotate(event);
    if (annotated.type === 'step-finished')
      out.set(annotated.record.path, annotated.record.provenance);
    else assert.deepEqual(annotated, event, 'other events pass unchanged');
  }
  return out;
}

describe('step dependencies', () => {
  test('are the steps an expression reads, anywhere in the step', () => {
    const deps = stepDependencies(definition);
    const of = (id: string): string[] => [...(deps.get(id) ?? [])].sort();
    assert.deepEqual(of('classify'), []);
    assert.deepEqual(of('shout'), ['summary']);
    assert.deepEqual(of('louder'), ['shout']);
    assert.deepEqual(of('rewrite'), ['summary']);
    assert.deepEqual(of('words'), ['summary'], 'the foreach expression');
    assert.deepEqual(of('gated'), ['louder'], 'the when condition');
    assert.deepEqual(of('unrelated'), []);
  });
});

describe('provenance', () => {
  test('recorded, stubbed, live and missing answers; taint through dependencies', () => {
    const provenance = track([
      effect('classify', 'recording'),
      finished('classify'),
      effect('summary', 'fixture'),
      finished('summary'),
      finished('shout'),
      finished('louder'),
      finished('category'),
      effect('rewrite', 'live'),
      finished('rewrite'),
      finished('gated'),
      finished('unrelated'),
    ]);
    assert.deepEqual(Object.fromEntries(provenance), {
      classify: 'recorded',
      summary: 'stubbed',
      shout: 'tainted', // reads summary
      louder: 'tainted', // reads shout, which read summary
      category: 'recorded', // reads classify only
      rewrite: 'live', // its own answer was live: that says more than tainted
      gated: 'tainted', // its condition read louder
      unrelated: 'recorded',
    });
  });

  test('taint flows into and out of foreach iterations', () => {
    const provenance = track([
      effect('summary', 'live'),
      finished('summary'),
      // Iterations of `words` read summary's output: recorded answers, but tainted.
      effect('words[a]', 'recording'),
      effect('words[b]', 'recording'),
      finished('words[b]', { step: 'words' }),
      finished('words[a]', { step: 'words' }),
      finished('words', { iterations: ['words[a]', 'words[b]'] }),
      // One iteration of `parts` answered live, the other recorded: the step is live.
      effect('parts[x]', 'recording'),
      effect('parts[y]', 'live'),
      finished('parts[x]', { step: 'parts' }),
      finished('parts[y]', { step: 'parts' }),
      finished('parts', { iterations: ['parts[x]', 'parts[y]'] }),
      finished('joined'),
    ]);
    assert.deepEqual(Object.fromEntries(provenance), {
      summary: 'live',
      'words[b]': 'tainted',
      'words[a]': 'tainted',
      words: 'tainted',
      'parts[x]': 'recorded',
      'parts[y]': 'live',
      parts: 'live',
      joined: 'tainted',
    });
  });

  test('a request without an answer (no recording, or a divergence) is missing', () => {
    const provenance = track([
      effect('classify', undefined, { code: 'no-recording', message: 'no answer' }),
      finished('classify', { status: 'failed' }),
      effect('summary', undefined, { code: 'divergence', message: 'diverged' }),
      finished('summary', { status: 'failed' }),
      finished('shout'),
    ]);
    assert.deepEqual(Object.fromEntries(provenance), {
      classify: 'missing',
      summary: 'missing',
      shout: 'tainted',
    });
  });

  test('the worst answer of a step wins: retries, several effects', () => {
    const provenance = track([
      effect('classify', 'recording'),
      effect('classify', 'fixture'),
      effect('classify', 'recording'),
      finished('classify', { attempts: 3 }),
      effect('summary', 'live'),
      effect('summary', 'fixture'),
      finished('summary', { attempts: 2 }),
    ]);
    assert.equal(provenance.get('classify'), 'stubbed');
    assert.equal(provenance.get('summary'), 'live');
  });
});
