/** `http`: calls an endpoint; the output is `{ status, headers, body }`. */
import type { JsonValue } from '../../model/workflow.js';
import { EngineError } from '../engine-error.js';
import { decodePlaceholders, secretPlaceholder } from '../effects.js';
import type { EngineHost } from '../host.js';
import { evaluateValue } from '../evaluate.js';
import { placement, type StepContext, type StepResult } from './run-step-body.js';

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
  const where = context.field ?? `steps.${step.id}.http`;
  const { method, expect, auth: authTemplate, ...sendable } = step.http!;
  // Secrets may be placed in what is sent (url, headers, query, body, auth), nowhere else.
  const control = (await evaluateValue(
    { method: method ?? null, expect: expect ?? null } as unknown as JsonValue,
    scope,
    functions,
    where,
  )) as { method: JsonValue; expect: JsonValue };
  const placed = placement(context);
  const rendered = (await evaluateValue(
    sendable as unknown as JsonValue,
    scope,
    functions,
    where,
    placed,
  )) as {
    url: JsonValue;
    headers?: { [name: string]: JsonValue };
    query?: { [name: string]: JsonValue };
    body?: JsonValue;
  };
  const authPlaced = placement(context);
  const renderedAuth =
    authTemplate === undefined
      ? undefined
      : await evaluateValue(
          authTemplate as unknown as JsonValue,
          scope,
          functions,
          `${where}.auth`,
          authPlaced,
        );
  const request = buildRequest({ ...rendered, method: control.method }, where);
  const auth = authorization(renderedAuth, where);
  // The canonical request names the secrets its credential is made of (`auth` with
  // placeholders), never the credential; what is sent carries the Authorization header.
  const canonical = canonicalRequest(request, host, renderedAuth);
  if (auth?.derived !== undefined) {
    host.protect(`${[...authPlaced.placed].join('+') || 'http'}:basic`, auth.derived);
  }
  for (const name of authPlaced.placed) placed.placed.add(name);
  const live = auth
    ? { ...request, headers: { ...request.headers, authorization: auth.header } }
    : request;
  const { response } = await host.effect(
    {
      path,
      kind: 'http',
      request: canonical,
      live: live as unknown as JsonValue,
      secrets: [...placed.placed],
      destination: request.url,
      ...(context.timeoutMs === undefined ? {} : { timeoutMs: context.timeoutMs }),
    },
    signal,
  );
  const result = response as unknown as HttpResponse;
  const expected = expectedStatuses(control.expect);
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

/** The Authorization header `auth` asks for, and the credential made from a secret, if any. */
function authorization(
  auth: JsonValue | undefined,
  where: string,
): { header: string; derived?: string } | undefined {
  if (auth === undefined || auth === null) return undefined;
  const value = auth as {
    bearer?: JsonValue;
    basic?: { username?: JsonValue; password?: JsonValue };
  };
  if (typeof value.bearer === 'string') return { header: `Bearer ${value.bearer}` };
  const basic = value.basic;
  if (basic && typeof basic.username === 'string' && typeof basic.password === 'string') {
    const credential = base64(`${basic.username}:${basic.password}`);
    return { header: `Basic ${credential}`, derived: credential };
  }
  throw new EngineError(
    'expression',
    `${where}.auth: give { bearer: <token> } or { basic: { username, password } }, each a string`,
  );
}

/** Base64 of UTF-8 text (what HTTP Basic authentication sends). */
function base64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  return btoa(Array.from(bytes, (byte) => String.fromCharCode(byte)).join(''));
}

/**
 * Header names that carry credentials: the names validation only accepts from `secrets.*`
 * (validate/literal-secrets.ts).
 */
const CREDENTIAL_HEADER =
  /^(?:authorization|proxy-authorization|cookie|x-api-key|api-key|apikey)$|token|secret|api[-_]?key|password|credential/i;

/**
 * The request as recorded and keyed: secret values become placeholders, and `auth` is kept as
 * written (with placeholders) rather than as the header it makes. A credential header that holds
 * no placeholder (a computed one from an older definition) is recorded as `⟦redacted⟧`: never the
 * credential, and never a key that changes with a secret's value.
 */
function canonicalRequest(
  request: HttpRequest,
  host: EngineHost,
  auth: JsonValue | undefined,
): JsonValue {
  const canonical = host.redact(request as unknown as JsonValue) as unknown as HttpRequest;
  const placeholder = secretPlaceholder('').slice(0, -1);
  const url = decodePlaceholders(canonical.url);
  const headers: { [name: string]: string } = {};
  for (const [name, value] of Object.entries(canonical.headers)) {
    headers[name] =
      CREDENTIAL_HEADER.test(name) && value !== '' && !value.includes(placeholder)
        ? '⟦redacted⟧'
        : value;
  }
  return auth === undefined || auth === null
    ? { ...canonical, url, headers }
    : { ...canonical, url, headers, auth: host.redact(auth) };
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
