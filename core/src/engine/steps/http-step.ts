/** `http`: calls an endpoint; the output is `{ status, headers, body }`. */
import type { JsonValue } from '../../model/workflow.js';
import { EngineError } from '../engine-error.js';
import { redactSecrets, secretPlaceholder } from '../effects.js';
import { evaluateValue } from '../evaluate.js';
import type { StepContext, StepResult } from './run-step-body.js';

/** The canonical HTTP request (what identifies the call). */
export interface HttpRequest {
  readonly method: string;
  /** The full URL, query parameters included. */
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: { readonly [name: string]: string };
  readonly body?: JsonValue;
}

/** A recorded HTTP response. */
export interface HttpResponse {
  readonly status: number;
  readonly headers: { readonly [name: string]: string };
  /** Parsed JSON when the response says it is JSON, else text. */
  readonly body: JsonValue;
}

export async function runHttpStep(context: StepContext): Promise<StepResult> {
  const { step, scope, functions, host, signal, path } = context;
  const where = `steps.${step.id}.http`;
  const rendered = (await evaluateValue(
    step.http as unknown as JsonValue,
    scope,
    functions,
    where,
  )) as {
    method?: JsonValue;
    url: JsonValue;
    headers?: { [name: string]: JsonValue };
    query?: { [name: string]: JsonValue };
    body?: JsonValue;
    expect?: JsonValue;
  };
  const request = buildRequest(rendered, where);
  const canonical = canonicalRequest(request, context.secrets);
  const { response } = await host.effect(
    {
      path,
      kind: 'http',
      request: canonical,
      live: request as unknown as JsonValue,
      ...(context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }),
    },
    signal,
  );
  const result = response as unknown as HttpResponse;
  const expected = expectedStatuses(rendered.expect);
  if (expected ? !expected.includes(result.status) : result.status < 200 || result.status > 299) {
    const shown = (canonical as { url: string }).url;
    throw new EngineError(
      'http-status',
      `${where}: ${request.method} ${shown} answered ${result.status} (expected ${expected ? expected.join(' or ') : 'a 2xx status'})`,
      { status: result.status, body: excerpt(result.body) },
    );
  }
  return { output: result as unknown as JsonValue, input: canonical };
}

/**
 * Header names that carry credentials: the names validation only accepts from `secrets.*`
 * (validate/literal-secrets.ts).
 */
const CREDENTIAL_HEADER =
  /^(?:authorization|proxy-authorization|cookie|x-api-key|api-key|apikey)$|token|secret|api[-_]?key|password|credential/i;

/**
 * The request as recorded and keyed: secret values become placeholders. A credential header
 * whose value was computed from a secret (`Basic ${{ $base64encode('user:' & secrets.P) }}`)
 * holds no placeholder after that, so it is recorded as `⟦redacted⟧`: never the credential, and
 * never a key that changes with a secret's value.
 */
function canonicalRequest(request: HttpRequest, secrets: ReadonlyMap<string, string>): JsonValue {
  const canonical = redactSecrets(
    request as unknown as JsonValue,
    secrets,
  ) as unknown as HttpRequest;
  const placeholder = secretPlaceholder('').slice(0, -1);
  const headers: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(canonical.headers)) {
    headers[name] =
      CREDENTIAL_HEADER.test(name) && value !== '' && !value.includes(placeholder)
        ? '⟦redacted⟧'
        : value;
  }
  return { ...canonical, headers };
}

function buildRequest(
  rendered: {
    method?: JsonValue;
    url: JsonValue;
    headers?: { [name: string]: JsonValue };
    query?: { [name: string]: JsonValue };
    body?: JsonValue;
  },
  where: string,
): HttpRequest {
  if (typeof rendered.url !== 'string')
    throw new EngineError('expression', `${where}.url: must be a string`);
  let url: URL;
  try {
    url = new URL(rendered.url);
  } catch {
    throw new EngineError('http-url', `${where}.url: '${rendered.url}' is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new EngineError(
      'http-url',
      `${where}.url: only http and https URLs can be called (got ${url.protocol})`,
    );
  }
  for (const [name, value] of Object.entries(rendered.query ?? {})) {
    url.searchParams.append(name, value === null ? '' : String(value));
  }
  const headers: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(rendered.headers ?? {})) {
    headers[name.toLowerCase()] = value === null ? '' : String(value);
  }
  const method = typeof rendered.method === 'string' ? rendered.method : 'GET';
  return rendered.body === undefined
    ? { method, url: url.toString(), headers }
    : { method, url: url.toString(), headers, body: rendered.body };
}

function expectedStatuses(expect: JsonValue | undefined): number[] | undefined {
  if (expect === undefined || expect === null) return undefined;
  return (Array.isArray(expect) ? expect : [expect]).map(Number);
}

function excerpt(body: JsonValue): JsonValue {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : body;
}
