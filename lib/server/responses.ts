import type { ServerResponse } from 'node:http';
import { InternalServerError, RequestRefusedError } from './errors';

/** Browsers must take a JSON answer for what it says it is, never sniff it into a script or a page. */
const NOSNIFF = { 'x-content-type-options': 'nosniff' } as const;

/** A 200 with a JSON body. */
export function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  if (!canRespond(res)) return;
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...NOSNIFF,
  });
  res.end(text);
}

/** ScyllaDB's `json_void`: a 200 with an empty body. */
export function sendEmpty(res: ServerResponse, headers: Record<string, string> = {}): void {
  if (!canRespond(res)) return;
  res.writeHead(200, { 'content-length': 0, ...NOSNIFF, ...headers });
  res.end();
}

/** The JSON body every error answers: `{ message, code }`, where code is a stable `ERR_FAULTLINE_...` string. */
export interface ErrorBody {
  readonly message: string;
  readonly code: string;
}

/** Answers an error; anything that is not a RequestRefusedError is a bug in the server and answers 500. */
export function sendError(res: ServerResponse, err: unknown): void {
  const http = err instanceof RequestRefusedError ? err : new InternalServerError(err);
  if (!canRespond(res)) return;
  const body: ErrorBody = { message: http.message, code: http.code };
  const text = JSON.stringify(body);
  res.writeHead(http.status, {
    ...http.headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...NOSNIFF,
  });
  res.end(text);
}

function canRespond(res: ServerResponse): boolean {
  return !res.headersSent && !res.destroyed && !res.writableEnded;
}
