import type { IncomingMessage, ServerResponse } from 'node:http';
import { InvalidServerOptionError } from './errors';
import { hostPolicy, type AllowedHosts, type HostPolicy } from './host-check';

/** A connect-style handler: Express middleware, or a plain listener given a fallback. */
export type NextFunction = (err?: unknown) => void;
export type RequestHandlerWithNext = (req: IncomingMessage, res: ServerResponse, next: NextFunction) => void;

export interface InjectionMiddlewareOptions {
  /** Require `Authorization: Bearer <token>` on every route (the event stream also takes `?access_token=`). */
  token?: string;
  /**
   * Most REST requests served at once, each counted from when its body is in (event streams have their own
   * limit, maxStreams); past it, 503 (default 1000).
   */
  maxConnections?: number;
  /** Most event streams open at once, apart from maxConnections so a flood of one never starves the other; past it, 503 (default 1000). */
  maxStreams?: number;
  /** Milliseconds between heartbeat comments on event streams; 0 turns them off (default 15 000). */
  heartbeatMs?: number;
  /** The `retry:` sent to event-stream clients, in ms; each stream gets a random value in [retryMs, 1.5 retryMs) (default 2000). */
  retryMs?: number;
  /** Most bytes held for one event-stream client that is not reading; past it that client is cut off (default 8 MiB). */
  maxBufferBytes?: number;
  /** Origins besides the server's own allowed to send state-changing requests (e.g. `http://localhost:5173`). */
  allowedOrigins?: readonly string[];
  /**
   * Host names answered besides `localhost`, `*.localhost` and IP literals (a request for any other Host is a
   * 403, which stops DNS rebinding); `.example.com` admits it and its subdomains; `'all'` turns the check off.
   */
  allowedHosts?: AllowedHosts;
  /**
   * Serves every request that is not one of the REST or event routes (the dashboard mounts here). It runs
   * before `next` (or the 404), which it receives as its third argument; the token is not checked for it.
   */
  ui?: RequestHandlerWithNext;
}

export interface ResolvedHandlerOptions {
  readonly token: string | undefined;
  readonly maxConnections: number;
  readonly maxStreams: number;
  readonly heartbeatMs: number;
  readonly retryMs: number;
  readonly maxBufferBytes: number;
  readonly allowedOrigins: readonly string[];
  readonly hosts: HostPolicy;
  readonly ui: RequestHandlerWithNext | undefined;
}

export function resolveHandlerOptions(options: InjectionMiddlewareOptions): ResolvedHandlerOptions {
  if (typeof options !== 'object' || options === null) throw new InvalidServerOptionError('options must be an object');
  const { token, allowedOrigins = [], ui } = options;
  if (token !== undefined && (typeof token !== 'string' || token === '' || /\s/.test(token))) {
    throw new InvalidServerOptionError('token must be a non-empty string without whitespace');
  }
  if (!Array.isArray(allowedOrigins) || !allowedOrigins.every((o) => typeof o === 'string')) {
    throw new InvalidServerOptionError('allowedOrigins must be an array of origin strings');
  }
  if (ui !== undefined && typeof ui !== 'function') throw new InvalidServerOptionError('ui must be a request handler function');
  return {
    token,
    maxConnections: integerOption('maxConnections', options.maxConnections, 1000, 1),
    maxStreams: integerOption('maxStreams', options.maxStreams, 1000, 1),
    heartbeatMs: integerOption('heartbeatMs', options.heartbeatMs, 15_000, 0, MAX_TIMER_DELAY),
    retryMs: integerOption('retryMs', options.retryMs, 2000, 0),
    maxBufferBytes: integerOption('maxBufferBytes', options.maxBufferBytes, 8 * 1024 * 1024, 1),
    allowedOrigins,
    hosts: hostPolicy(options.allowedHosts),
    ui,
  };
}

// setInterval fires at once (with a warning) for longer delays.
const MAX_TIMER_DELAY = 2 ** 31 - 1;

export function integerOption(name: string, value: unknown, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (value === Infinity && (name === 'maxConnections' || name === 'maxStreams')) return Infinity;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new InvalidServerOptionError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value;
}
