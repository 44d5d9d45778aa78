/**
 * Answers model and HTTP calls from fixtures (a scripted run); everything else (the clock,
 * randomness, environment, shell) goes to the live executor. A call no fixture answers is a step
 * error, never a silent live call.
 */
import type { JsonValue } from '../model/workflow.js';
import { EngineError } from '../engine/engine-error.js';
import type { EffectCall, EffectOutcome } from '../engine/host.js';
import type { HttpRequest } from '../engine/steps/http-step.js';
import type { ModelCall } from '../engine/steps/llm-step.js';
import type { EffectExecutor, EffectIdentity } from '../runs/recording-host.js';
import { FixtureMatcher, type Fixtures } from './fixtures.js';

export class ScriptedExecutor implements EffectExecutor {
  private readonly matcher: FixtureMatcher;

  constructor(
    fixtures: Fixtures,
    private readonly fallback: EffectExecutor,
    /** Names the fixtures file in messages. */
    private readonly source: string,
  ) {
    this.matcher = new FixtureMatcher(fixtures);
  }

  async execute(
    call: EffectCall,
    signal: AbortSignal,
    identity: EffectIdentity,
  ): Promise<EffectOutcome> {
    if (call.kind === 'llm') {
      const { request } = call.live as unknown as ModelCall;
      const answer = this.matcher.model(call.path, request);
      if (!answer) {
        const prompt =
          [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
        throw new EngineError(
          'no-fixture',
          `${call.path}: no fixture in ${this.source} answers this model call (model ${request.model}, prompt ${JSON.stringify(prompt.slice(0, 60))}); add one under models:, or run without --fixtures to call the model`,
        );
      }
      const response = (answer.toolCalls
        ? { content: answer.content, finishReason: 'tool_calls', toolCalls: answer.toolCalls }
        : { content: answer.content, finishReason: 'stop' }) as unknown as JsonValue;
      return answer.usage ? { response, usage: answer.usage } : { response };
    }
    if (call.kind === 'http') {
      const request = call.live as unknown as HttpRequest;
      const response = this.matcher.http(request);
      if (!response) {
        throw new EngineError(
          'no-fixture',
          `${call.path}: no fixture in ${this.source} answers ${request.method} ${(call.request as { url: string }).url}; add one under http:, or run without --fixtures`,
        );
      }
      return { response: response as unknown as JsonValue };
    }
    return this.fallback.execute(call, signal, identity);
  }
}
