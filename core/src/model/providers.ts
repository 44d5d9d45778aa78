/**
 * The model providers a workflow's `models` may name. Each speaks its own wire protocol (see
 * `core/src/providers/`); what is recorded of a call stays in one provider-neutral shape.
 */

/**
 * Where each provider's requests go when a model sets no `base_url`. Shared by the engine (which
 * names the destination a secret may be sent to) and the providers (which send there).
 */
export const PROVIDER_ENDPOINTS = {
  /** OpenAI's chat completions; the base URL ends in `/v1` as OpenAI-compatible servers expect. */
  openai: 'https://api.openai.com/v1',
  /** Anthropic's Messages API; the base URL is the API's root (requests go to `/v1/messages`). */
  anthropic: 'https://api.anthropic.com',
} as const;

/** A provider's name as a model gives it (`provider: anthropic`). */
export type ModelProvider = keyof typeof PROVIDER_ENDPOINTS;

/** The providers, in the order the format documents them. */
export const MODEL_PROVIDERS = Object.keys(PROVIDER_ENDPOINTS) as readonly ModelProvider[];

/** Whether `name` is a provider Lockstep speaks. */
export function isModelProvider(name: string): name is ModelProvider {
  return Object.hasOwn(PROVIDER_ENDPOINTS, name);
}
