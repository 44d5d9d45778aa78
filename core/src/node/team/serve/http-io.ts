/**
 * Reading requests and writing responses for `lockstep serve`: JSON bodies under a size limit,
 * JSON answers, and errors as `{ error: { code, message } }` with the status that fits.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A failure to answer with: its HTTP status and a message that says what to do. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The largest request body read (bytes). */
export const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The request's body parsed as JSON.
 * @throws HttpError 413 past `limit` bytes, 415 when it is not declared JSON, 400 when it does
 *   not parse (naming the parser's complaint).
 */
export async function readJsonBody(
  request: IncomingMessage,
  limit = MAX_BODY_BYTES,
): Promise<unknown> {
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json\b/i.test(type)) {
    throw new HttpError(
      415,
      'unsupported-media-type',
      `send the body as JSON with content-type: application/json (got '${type || 'none'}')`,
    );
  }
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw tooLarge(limit);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw tooLarge(limit);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new HttpError(
      400,
      'invalid-json',
      `the request body is not valid JSON: ${(error as Error).message}`,
    );
  }
}

function tooLarge(limit: number): HttpError {
  return new HttpError(
    413,
    'body-too-large',
    `the request body is over ${limit} bytes: send a smaller input`,
  );
}

/** Answers with `body` as JSON. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  response.end(text);
}

/** Answers with an error document. */
export function sendError(
  response: ServerResponse,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  sendJson(response, status, { error: { code, message } });
}
