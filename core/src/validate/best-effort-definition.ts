/**
 * A definition-shaped view of a value the schema rejected, keeping only well-typed fields and
 * every array index. Semantic checks run on it so that one schema error does not hide the other
 * problems of a file: users see them all at once.
 */
import type {
  HttpStep,
  InputDefinition,
  JsonObject,
  JsonValue,
  LlmStep,
  ModelDefinition,
  StepDefinition,
  WorkflowDefinition,
} from '../model/workflow.js';
import { isModelProvider } from '../model/providers.js';

const INPUT_TYPES = new Set(['string', 'number', 'integer', 'boolean', 'object', 'array']);

/**
 * Keeps what semantic checks read. A step that is not a mapping, or has no string `id`, gets the
 * id `''`, which the checks treat as "no id" (its expressions are still checked).
 */
export function bestEffortDefinition(value: Record<string, unknown>): WorkflowDefinition {
  const definition: WorkflowDefinition = {
    name: typeof value['name'] === 'string' ? value['name'] : '',
    steps: Array.isArray(value['steps']) ? value['steps'].map(toStep) : [],
  };
  if (isRecord(value['inputs'])) definition.inputs = mapValues(value['inputs'], toInput);
  if (isRecord(value['models'])) definition.models = mapValues(value['models'], toModel);
  if (isRecord(value['outputs'])) definition.outputs = value['outputs'] as JsonObject;
  return definition;
}

function toInput(value: unknown): InputDefinition {
  if (!isRecord(value) || typeof value['type'] !== 'string' || !INPUT_TYPES.has(value['type'])) {
    return { type: 'string', required: false }; // shape reported by the schema; only the name matters here
  }
  const input: InputDefinition = { type: value['type'] as InputDefinition['type'] };
  if (value['default'] !== undefined) input.default = value['default'] as JsonValue;
  if (Array.isArray(value['enum'])) input.enum = value['enum'] as JsonValue[];
  return input;
}

function toModel(value: unknown): ModelDefinition {
  // The provider is kept when it is one (provider rules read it); else any will do for the names.
  const provider = isRecord(value) ? value['provider'] : undefined;
  const model: ModelDefinition = {
    provider: typeof provider === 'string' && isModelProvider(provider) ? provider : 'openai',
    model: '',
  };
  if (!isRecord(value)) return model;
  return {
    ...strings(value),
    ...model,
    ...(typeof value['model'] === 'string' ? { model: value['model'] } : {}),
  };
}

function toStep(value: unknown): StepDefinition {
  if (!isRecord(value)) return { id: '' };
  const step: StepDefinition = { id: typeof value['id'] === 'string' ? value['id'] : '' };
  const { when, foreach, as, key, llm, http, transform, shell, workflow } = value;
  if (typeof when === 'boolean' || typeof when === 'string') step.when = when;
  if (Array.isArray(foreach) || typeof foreach === 'string')
    step.foreach = foreach as JsonValue[] | string;
  if (typeof as === 'string') step.as = as;
  if (typeof key === 'string') step.key = key;
  if (isRecord(llm)) step.llm = toLlm(llm);
  if (isRecord(http)) step.http = toHttp(http);
  if (transform !== undefined) step.transform = transform as JsonValue;
  if (typeof shell === 'string') step.shell = shell;
  else if (isRecord(shell)) {
    step.shell = {
      run: typeof shell['run'] === 'string' ? shell['run'] : '',
      ...(isRecord(shell['env']) ? { env: strings(shell['env']) } : {}),
    };
  }
  if (isRecord(workflow) && typeof workflow['name'] === 'string') {
    const version = workflow['version'];
    step.workflow = {
      name: workflow['name'],
      ...(typeof version === 'number' || typeof version === 'string' ? { version } : {}),
      ...(isRecord(workflow['inputs']) ? { inputs: workflow['inputs'] as JsonObject } : {}),
    };
  }
  return step;
}

function toLlm(value: Record<string, unknown>): LlmStep {
  const llm: LlmStep = {
    ...strings(value),
    model: typeof value['model'] === 'string' ? value['model'] : '',
  };
  if (Array.isArray(value['messages']))
    llm.messages = value['messages'] as LlmStep['messages'] & [];
  if (isRecord(value['schema'])) llm.schema = value['schema'] as JsonObject;
  return llm;
}

function toHttp(value: Record<string, unknown>): HttpStep {
  const http: HttpStep = { url: typeof value['url'] === 'string' ? value['url'] : '' };
  if (isRecord(value['headers'])) http.headers = strings(value['headers']);
  if (isRecord(value['query'])) http.query = strings(value['query']);
  if (value['body'] !== undefined) http.body = value['body'] as JsonValue;
  return http;
}

/** The string-valued entries of a record (the others are reported by the schema). */
function strings(value: Record<string, unknown>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => typeof v === 'string'),
  ) as Record<string, string>;
}

function mapValues<T>(value: Record<string, unknown>, map: (v: unknown) => T): Record<string, T> {
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, map(v)]));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
