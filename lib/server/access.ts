import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { ForbiddenOriginError, UnauthorizedError } from './errors';

/**
 * Checks `Authorization: Bearer <token>`; `queryToken` is the `access_token` query parameter, which only the
 * event stream takes (a browser's EventSource cannot send headers).
 */
export function checkToken(req: IncomingMessage, token: string | undefined, queryToken?: string): void {
  if (token === undefined) return;
  const header = req.headers.authorization;
  let given: string | undefined;
  if (header !== undefined) {
    const m = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (m === null) throw new UnauthorizedError('the Authorization header must be "Bearer <token>"');
    given = m[1];
  } else {
    given = queryToken;
  }
  if (given === undefined) throw new UnauthorizedError('this server requires a token: send "Authorization: Bearer <token>"');
  if (!sameSecret(given, token)) throw new UnauthorizedError('the token is not this server\'s token');
}

/** Compares in constant time whatever the lengths, so the answer's timing says nothing about the token. */
function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * A web page the developer has open can send a "simple" cross-origin POST (no preflight) to a server on
 * loopback. Browsers always send `Origin` on such requests, so a state-changing request whose Origin is present
 * and is not the server's own (the origin of its Host header) or one of `allowedOrigins` is refused.
 * Requests without Origin (test clients, curl, ScyllaDB's Python client) pass.
 */
export function checkOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): void {
  if (SAFE_METHODS.has(req.method ?? '')) return;
  const origin = req.headers.origin;
  if (origin === undefined) return;
  const host = req.headers.host;
  const scheme = (req.socket as { encrypted?: boolean }).encrypted === true ? 'https' : 'http';
  const own = host === undefined ? undefined : `${scheme}://${host}`.toLowerCase();
  const lower = origin.toLowerCase();
  if (lower === own) return;
  if (allowedOrigins.some((o) => o.toLowerCase() === lower)) return;
  throw new ForbiddenOriginError(origin);
}
