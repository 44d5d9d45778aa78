/**
 * Performs effects for real: model calls and HTTP requests over the network, shell commands
 * through a runner the caller supplies (Node only), and reads of the clock, randomness and the
 * environment.
 */
import type { JsonValue } from '../model/workflow.js';
import { EngineError } from '../engine/engine-error.js';
import type { EffectCall, EffectOutcome } from '../engine/host.js';
import type { HttpRequest } from '../engine/steps/http-step.js';
import type { ModelCall } from '../engine/steps/llm-step.js';
import type { EffectExecutor } from '../runs/recording-host.js';
import type { FetchPolicy } from './fetch-with-retries.js';
import { isModelProvider, type ModelProvider } from '../model/providers.js';
import { callAnthropicMessages } from './anthropic-messages.js';
import { performHttpCall } from './http-call.js';
import type { ModelClient } from './model-endpoint.js';
import { callChatCompletions } from './openai-chat.js';

/** A shell command as a step asks for it. */
export interface ShellRequest {
  readonly command: string;
  readonly cwd: string;
  readonly env: { readonly [name: string]: string };
}

/** Runs shell commands (implemented in the Node corner). */
export type ShellRunner = (
  request: ShellRequest,
  signal: AbortSignal,
) => Promise<{ exitCode: number; stdout: string; stderr: string }>;

export interface LiveExecutorOptions {
  /** Reads an allow-listed environment variable (the engine only asks for referenced ones). */
  readonly env: (name: string) => string | undefined;
  /** Runs shell commands; without one, shell steps fail with a clear error. */
  readonly shell?: ShellRunner;
  readonly clock?: () => number;
  readonly random?: () => number;
  readonly fetchPolicy?: FetchPolicy;
}

/** Each provider's client, by the name a model gives it. */
const MODEL_CLIENTS: Record<ModelProvider, ModelClient> = {
  openai: callChatCompletions,
  anthropic: callAnthropicMessages,
};

export class LiveExecutor implements EffectExecutor {
  constructor(private readonly options: LiveExecutorOptions) {}

  async execute(call: EffectCall, signal: AbortSignal): Promise<EffectOutcome> {
    switch (call.kind) {
      case 'llm': {
        const model = call.live as unknown as ModelCall;
        const { provider } = model.request;
        if (!isModelProvider(provider)) {
          // Only a definition that skipped validation gets here.
          throw new EngineError(
            'unknown-model',
            `${call.path}: the model's provider '${provider}' is not one Lockstep speaks`,
          );
        }
        return MODEL_CLIENTS[provider](model, call.path, signal, this.options.fetchPolicy);
      }
      case 'http':
        return performHttpCall(
          call.live as unknown as HttpRequest,
          call.path,
          signal,
          this.options.fetchPolicy,
          call.timeoutMs,
        );
      case 'shell': {
        if (!this.options.shell) {
          throw new EngineError(
            'shell-not-allowed',
            `${call.path}: this runner cannot run shell commands`,
          );
        }
        const result = await this.options.shell(call.live as unknown as ShellRequest, signal);
        return { response: result as unknown as JsonValue };
      }
      case 'clock':
        return { response: (this.options.clock ?? Date.now)() };
      case 'random':
        return { response: (this.options.random ?? Math.random)() };
      case 'env': {
        const name = (call.request as { name: string }).name;
        return { response: this.options.env(name) ?? null };
      }
      case 'secret':
      case 'workflow':
        throw new EngineError(
          'internal',
          `${call.path}: ${call.kind} effects are recorded by the host, not performed by an executor`,
        );
    }
  }
}
