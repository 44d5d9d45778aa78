// Calling a provider's client in a test: a policy that records the waits asked for instead of
// sleeping, and a harness that calls one client at a fake server with a default request.
import type { EngineError } from '../../core/src/engine/engine-error.js';
import type { EffectOutcome } from '../../core/src/engine/host.js';
import type { ModelCall, ModelRequest } from '../../core/src/engine/steps/llm-step.js';
import type { FetchPolicy } from '../../core/src/providers/fetch-with-retries.js';
import type { ModelClient } from '../../core/src/providers/model-endpoint.js';
import { engineFailure } from './engine-failure.js';

/** A policy whose sleep records the waits asked for and returns at once. */
export function recordingPolicy(): { policy: FetchPolicy; waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    policy: {
      sleep: async (ms) => {
        waits.push(ms);
      },
    },
  };
}

/** Calls one provider's client at a server, as step `where`. */
export interface ProviderHarness {
  /** The key every call carries unless told otherwise. */
  readonly key: string;
  /** The default request at `server` with the key (from the secret `TEST_KEY`), changed as given. */
  callTo(
    server: { readonly baseUrl: string },
    transport?: Partial<ModelCall['transport']>,
    request?: Partial<ModelRequest>,
  ): ModelCall;
  /** Calls the client (with a recording policy unless given one). */
  call(model: ModelCall, policy?: FetchPolicy, signal?: AbortSignal): Promise<EffectOutcome>;
  /** The EngineError `promise` rejects with (see engineFailure), at the harness's step. */
  failure(promise: Promise<unknown>, code: string): Promise<EngineError>;
}

export function providerHarness(
  client: ModelClient,
  defaults: { readonly request: ModelRequest; readonly key: string; readonly where: string },
): ProviderHarness {
  const { request, key, where } = defaults;
  return {
    key,
    callTo: (server, transport = {}, changes = {}) => ({
      request: { ...request, ...changes },
      transport: { baseUrl: server.baseUrl, apiKey: key, apiKeySecret: 'TEST_KEY', ...transport },
    }),
    call: (model, policy = recordingPolicy().policy, signal = new AbortController().signal) =>
      client(model, where, signal, policy),
    failure: (promise, code) => engineFailure(promise, code, where),
  };
}
