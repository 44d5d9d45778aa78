/**
 * The workflow definition as TypeScript types. They mirror `workflow.schema.json`, which is the
 * single source of truth for structure: a value has these types only after the schema accepted it.
 */
import type { ModelProvider } from './providers.js';
import type { TextSource } from './file-refs.js';

export type JsonValue =
  null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

export type InputType = 'string' | 'number' | 'integer' | 'boolean' | 'object' | 'array';

export interface InputDefinition {
  type: InputType;
  description?: string;
  default?: JsonValue;
  enum?: JsonValue[];
  required?: boolean;
}

export interface ModelDefinition {
  /** `openai` (any OpenAI-compatible endpoint) or `anthropic` (the Messages API). */
  provider: ModelProvider;
  model: string;
  base_url?: string;
  api_key?: string;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string | string[];
  timeout?: string;
  stream?: boolean;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/**
 * A tool an `llm` step offers its model: a name and description the model reads, a JSON Schema
 * for its arguments, and exactly one runner (the key of the runner is its kind). The runner's
 * expressions read the model's arguments as `args`.
 */
export interface ToolDefinition {
  name: string;
  description: string;
  /**
   * A JSON Schema for the arguments (an object schema); arguments are checked against it. It may be
   * a file reference (`{ file, content }`): read it with `schemaOf`.
   */
  parameters: JsonObject;
  http?: HttpStep;
  workflow?: WorkflowCallStep;
  transform?: JsonValue;
  shell?: ShellStep;
}

/** The kinds of tool runner, in the order the format documents them. */
export const TOOL_RUNNERS = ['http', 'workflow', 'transform', 'shell'] as const;
export type ToolRunner = (typeof TOOL_RUNNERS)[number];

/** The name a tool's runner expressions read the model's arguments by. */
export const TOOL_ARGS_NAME = 'args';

/** `tool_choice` values besides a tool's name (so a tool may not be named either). */
export const TOOL_CHOICE_MODES = ['auto', 'none'] as const;

/** The runner of a tool the schema accepted (exactly one runner key is present). */
export function toolRunner(tool: ToolDefinition): ToolRunner {
  const kind = TOOL_RUNNERS.find((k) => tool[k] !== undefined);
  if (!kind)
    throw new Error(`tool '${tool.name}' has no runner; validate before calling toolRunner`);
  return kind;
}

export interface LlmStep {
  model: string;
  /** Text, or `{ file }` (see file-refs.ts). */
  system?: TextSource;
  /** Text, or `{ file }` (see file-refs.ts). */
  prompt?: TextSource;
  messages?: ChatMessage[];
  output?: 'text' | 'json';
  schema?: JsonObject;
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  seed?: number;
  stop?: string | string[];
  /** Tools the model may call; the step then loops until the model answers without calls. */
  tools?: ToolDefinition[];
  /** The most model turns the loop takes (required with `tools`). */
  max_turns?: number;
  /** `auto` (default), `none`, or a tool's name (that tool on the first turn). */
  tool_choice?: string;
  /** How many tool calls of one turn run at once (default 1). */
  concurrency?: number;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface HttpStep {
  method?: HttpMethod;
  url: string;
  headers?: Record<string, string>;
  query?: Record<string, string>;
  body?: JsonValue;
  /** Authentication built from secrets: a bearer token, or a Basic user name and password. */
  auth?: HttpAuth;
  expect?: number | number[];
}

export type HttpAuth = { bearer: string } | { basic: { username: string; password: string } };

export type ShellStep = string | { run: string; cwd?: string; env?: Record<string, string> };

export interface WorkflowCallStep {
  name: string;
  version?: number | string;
  inputs?: JsonObject;
}

export interface RetryPolicy {
  max?: number;
  backoff?: 'fixed' | 'exponential';
  delay?: string;
}

/** The kinds of step, in the order the format documents them. */
export const STEP_KINDS = ['llm', 'http', 'transform', 'shell', 'workflow'] as const;
export type StepKind = (typeof STEP_KINDS)[number];

export interface StepDefinition {
  id: string;
  name?: string;
  description?: string;
  when?: boolean | string;
  foreach?: JsonValue[] | string;
  as?: string;
  key?: string;
  concurrency?: number;
  retry?: RetryPolicy;
  timeout?: string;
  llm?: LlmStep;
  http?: HttpStep;
  transform?: JsonValue;
  shell?: ShellStep;
  workflow?: WorkflowCallStep;
}

export interface WorkflowDefinition {
  name: string;
  description?: string;
  inputs?: Record<string, InputDefinition>;
  models?: Record<string, ModelDefinition>;
  steps: StepDefinition[];
  outputs?: JsonObject;
}

/** The kind of a step that the schema accepted (exactly one kind key is present). */
export function stepKind(step: StepDefinition): StepKind {
  const kind = STEP_KINDS.find((k) => step[k] !== undefined);
  if (!kind) throw new Error(`step '${step.id}' has no kind key; validate before calling stepKind`);
  return kind;
}

/** The name a `foreach` step gives its current item (`as`, default `item`). */
export function foreachItemName(step: StepDefinition): string {
  return step.as ?? 'item';
}
