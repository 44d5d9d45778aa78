/**
 * Fixtures: scripted answers for model and HTTP calls, chosen when a run starts (never written into
 * a workflow), so one version runs live or offline unchanged and users can write deterministic
 * tests of their workflows. The first fixture that matches a call answers it.
 */
import type { ValidateFunction } from 'ajv';
import { compileOwnSchema } from '../format/ajv.js';
import fixturesSchema from '../format/fixtures.schema.json' with { type: 'json' };
import type { JsonValue } from '../model/workflow.js';
import { parseYamlText } from '../parse/parse-yaml.js';
import type { Diagnostic } from '../model/diagnostics.js';
import { schemaDiagnostics } from '../validate/schema-diagnostics.js';
import type { ModelRequest } from '../engine/steps/llm-step.js';
import { normalizedArguments, type ToolCall } from '../engine/steps/model-request.js';
import type { HttpRequest } from '../engine/steps/http-step.js';
import type { TokenUsage } from '../model/runs.js';

export const FIXTURES_SCHEMA: Readonly<Record<string, unknown>> = fixturesSchema;

export interface ModelFixture {
  readonly step?: string;
  readonly prompt?: string;
  readonly model?: string;
  readonly answer?: JsonValue;
  readonly answers?: readonly JsonValue[];
  readonly usage?: TokenUsage;
}

export interface HttpFixture {
  readonly method?: string;
  readonly url: string;
  readonly status?: number;
  readonly headers?: { readonly [name: string]: string };
  readonly body?: JsonValue;
}

export interface Fixtures {
  readonly models?: readonly ModelFixture[];
  readonly http?: readonly HttpFixture[];
}

let validate: ValidateFunction | undefined;

/** Parses fixtures text (YAML or JSON); problems come back as diagnostics with lines. */
export function parseFixturesText(text: string): {
  fixtures?: Fixtures;
  diagnostics: Diagnostic[];
} {
  const parsed = parseYamlText(text);
  if (parsed.diagnostics.some((d) => d.severity === 'error'))
    return { diagnostics: [...parsed.diagnostics] };
  const value = parsed.value ?? {};
  validate ??= compileOwnSchema(FIXTURES_SCHEMA);
  if (!validate(value)) {
    return { diagnostics: schemaDiagnostics(validate.errors ?? [], value, parsed.locator) };
  }
  // Checked now, not when a call first reaches it: a run must not fail half-way through (as an
  // internal error) because of a fixture it could have been told about before it started.
  const fixtures = value as Fixtures;
  const diagnostics: Diagnostic[] = [];
  (fixtures.models ?? []).forEach((fixture, index) => {
    const problem = fixture.prompt === undefined ? undefined : patternProblem(fixture.prompt);
    if (problem) {
      diagnostics.push({
        code: 'schema',
        severity: 'error',
        message: `models[${index}].prompt: ${problem}`,
        range: parsed.locator.range(['models', index, 'prompt']),
      });
    }
    const answers = fixture.answers ?? (fixture.answer === undefined ? [] : [fixture.answer]);
    answers.forEach((answer, n) => {
      const where = fixture.answers ? ['models', index, 'answers', n] : ['models', index, 'answer'];
      const callProblem = toolCallsProblem(answer);
      if (callProblem) {
        diagnostics.push({
          code: 'schema',
          severity: 'error',
          message: `${where.join('.').replace(/\.(\d+)/g, '[$1]')}: ${callProblem}`,
          range: parsed.locator.range(where),
        });
      }
    });
  });
  return diagnostics.length > 0 ? { diagnostics } : { fixtures, diagnostics: [] };
}

/**
 * An answer whose only key is `tool_calls` is a turn of an agent step calling tools:
 * `{ tool_calls: [{ name, arguments }] }` (arguments an object, or JSON text).
 */
function toolCallsOf(answer: JsonValue | undefined): readonly JsonValue[] | undefined {
  if (answer === null || typeof answer !== 'object' || Array.isArray(answer)) return undefined;
  const keys = Object.keys(answer);
  return keys.length === 1 && keys[0] === 'tool_calls' && Array.isArray(answer['tool_calls'])
    ? answer['tool_calls']
    : undefined;
}

/** What is wrong with an answer's tool calls, or undefined (also when it calls none). */
function toolCallsProblem(answer: JsonValue): string | undefined {
  const calls = toolCallsOf(answer);
  if (calls === undefined) return undefined;
  if (calls.length === 0) return 'tool_calls lists no call; answer with text to end the loop';
  for (const call of calls) {
    const { name, arguments: args } = (call ?? {}) as { name?: unknown; arguments?: unknown };
    if (typeof name !== 'string' || name === '') return 'each tool call needs a name';
    if (
      args !== undefined &&
      typeof args !== 'string' &&
      (args === null || typeof args !== 'object')
    ) {
      return `the arguments of ${name} must be an object (or JSON text)`;
    }
  }
  return undefined;
}

/** What is wrong with a `/regex/flags` pattern, or undefined when it compiles (or is plain text). */
function patternProblem(pattern: string): string | undefined {
  const regex = REGEX_PATTERN.exec(pattern);
  if (!regex) return undefined;
  try {
    new RegExp(regex[1]!, regex[2]);
    return undefined;
  } catch (error) {
    return `${pattern} is not a valid regular expression (${(error as Error).message}); write plain text to match it literally`;
  }
}

/** `/source/flags`: a prompt pattern that is a regular expression. */
const REGEX_PATTERN = /^\/(.+)\/([a-z]*)$/s;

/** Matches calls to fixtures, keeping the per-run position of `answers` lists. */
export class FixtureMatcher {
  private readonly used = new Map<ModelFixture, number>();

  constructor(private readonly fixtures: Fixtures) {}

  /**
   * The answer for a model call at `path`, or undefined when no fixture matches. An answer of
   * the form `{ tool_calls: [...] }` calls tools (ids `fixture-<turn>-<n>`, the same every run).
   */
  model(
    path: string,
    request: ModelRequest,
  ): { content: string; usage?: TokenUsage; toolCalls?: readonly ToolCall[] } | undefined {
    // A tool loop's turn (`research/turn-2`) is matched by its step, as an iteration is.
    const owner = path.replace(/\/turn-\d+$/, '');
    const step = owner.replace(/\[.*$/, '');
    const prompt = [...request.messages].reverse().find((m) => m.role === 'user')?.content ?? '';
    for (const fixture of this.fixtures.models ?? []) {
      if (fixture.step !== undefined && ![step, owner, path].includes(fixture.step)) continue;
      if (fixture.model !== undefined && fixture.model !== request.model) continue;
      if (fixture.prompt !== undefined && !textMatches(prompt, fixture.prompt)) continue;
      let answer = fixture.answer;
      if (fixture.answers) {
        const n = this.used.get(fixture) ?? 0;
        this.used.set(fixture, n + 1);
        answer = fixture.answers[Math.min(n, fixture.answers.length - 1)];
      }
      const calls = toolCallsOf(answer);
      const content =
        calls !== undefined ? '' : typeof answer === 'string' ? answer : JSON.stringify(answer);
      const turn = /\/turn-(\d+)$/.exec(path)?.[1] ?? '1';
      const toolCalls = calls?.map((call, n): ToolCall => {
        const { name, arguments: args } = call as { name: string; arguments?: JsonValue };
        const text = typeof args === 'string' ? args : JSON.stringify(args ?? {});
        return { id: `fixture-${turn}-${n + 1}`, name, arguments: normalizedArguments(text) };
      });
      return {
        content,
        ...(fixture.usage ? { usage: fixture.usage } : {}),
        ...(toolCalls ? { toolCalls } : {}),
      };
    }
    return undefined;
  }

  /** The response for an HTTP call, or undefined when no fixture matches. */
  http(
    request: HttpRequest,
  ): { status: number; headers: { [name: string]: string }; body: JsonValue } | undefined {
    for (const fixture of this.fixtures.http ?? []) {
      if (fixture.method !== undefined && fixture.method !== request.method) continue;
      if (!globMatches(request.url, fixture.url)) continue;
      const body = fixture.body ?? '';
      const headers: { [name: string]: string } = { ...(fixture.headers ?? {}) };
      if (
        typeof body !== 'string' &&
        !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')
      ) {
        headers['content-type'] = 'application/json';
      }
      return { status: fixture.status ?? 200, headers, body };
    }
    return undefined;
  }
}

/** `/regex/flags` is a regular expression; anything else must be contained. */
function textMatches(text: string, pattern: string): boolean {
  const regex = REGEX_PATTERN.exec(pattern);
  if (regex) return new RegExp(regex[1]!, regex[2]).test(text);
  return text.includes(pattern);
}

/** `*` matches any characters; everything else literally. */
function globMatches(text: string, pattern: string): boolean {
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${source}$`).test(text);
}
