import type { IncomingMessage, Server, ServerOptions } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import { InvalidServerOptionError, MethodNotAllowedError, TooManyConnectionsError } from './errors';
import { integerOption } from './options';
import { rawJsonResponse } from './raw-response';

/** What bounds the sockets of a server made by createInjectionServer (see InjectionServerOptions). */
export interface SocketLimits {
  /** Most connections open at once; one past it is answered 503 and closed (default 4096). */
  readonly maxSockets?: number;
  /**
   * Milliseconds a client gets to send a request's headers, counted from when the connection opened or the
   * previous request ended; then 408 and the connection is closed (default 10 000).
   */
  readonly headersTimeoutMs?: number;
  /**
   * Milliseconds a client gets to send a whole request, headers and body; then 408 and the connection is
   * closed (default 10 000). An event stream's request is complete once its headers are in, so the stream
   * itself is never cut by it.
   */
  readonly requestTimeoutMs?: number;
}

export interface ResolvedSocketLimits {
  readonly maxSockets: number;
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export const DEFAULT_MAX_SOCKETS = 4096;
export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/** How often Node looks for requests past their timeouts (its default, 30 s, would let them run 3x over). */
const TIMEOUT_CHECK_MS = 1000;

export interface SocketGuard {
  /** Connections open now (refused ones not counted). */
  openSockets(): number;
  /**
   * Destroys every socket still open, refused and CONNECT ones included, which node:http's
   * closeAllConnections() does not track: so close() is bounded whatever the clients do.
   */
  destroyAll(): void;
  /**
   * False for a request that arrived on a refused connection (which was answered already, and is closed now):
   * the HTTP parser is attached to every socket, so such a request must not reach the handler.
   */
  accepts(req: IncomingMessage): boolean;
}

export function resolveSocketLimits(options: SocketLimits): ResolvedSocketLimits {
  const limits = {
    maxSockets: integerOption('maxSockets', options.maxSockets, DEFAULT_MAX_SOCKETS, 1),
    headersTimeoutMs: integerOption('headersTimeoutMs', options.headersTimeoutMs, DEFAULT_HEADERS_TIMEOUT_MS, 1, 2 ** 31 - 1),
    requestTimeoutMs: integerOption('requestTimeoutMs', options.requestTimeoutMs, DEFAULT_REQUEST_TIMEOUT_MS, 1, 2 ** 31 - 1),
  };
  if (limits.headersTimeoutMs > limits.requestTimeoutMs) {
    throw new InvalidServerOptionError(
      `headersTimeoutMs (${limits.headersTimeoutMs}) must not be more than requestTimeoutMs (${limits.requestTimeoutMs})`,
    );
  }
  return limits;
}

/** The node:http options that apply the timeouts. */
export function timeoutServerOptions(limits: ResolvedSocketLimits): ServerOptions {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: TIMEOUT_CHECK_MS,
  };
}

/**
 * Caps the open connections of `server`, answering the one past the cap with a JSON 503 instead of Node's
 * silent drop (`server.maxConnections`), and answers CONNECT, which Node would otherwise close without a
 * word, with a JSON 405.
 */
export function guardSockets(server: Server, limits: ResolvedSocketLimits): SocketGuard {
  let open = 0;
  const refused = new WeakSet<Socket>();
  const all = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    all.add(socket);
    socket.once('close', () => all.delete(socket));
    if (open >= limits.maxSockets) {
      refused.add(socket);
      socket.end(
        rawJsonResponse(new TooManyConnectionsError(limits.maxSockets)),
      );
      // A client that keeps sending must not hold the refused socket: it goes once the answer is out.
      socket.once('finish', () => socket.destroy());
      return;
    }
    open++;
    socket.once('close', () => open--);
  });
  server.on('connect', (_req: IncomingMessage, socket: Duplex) => {
    socket.end(
      rawJsonResponse(
        new MethodNotAllowedError('CONNECT', ['GET', 'POST', 'DELETE'], 'method CONNECT is not allowed; this server is not a proxy'),
      ),
    );
    socket.once('finish', () => socket.destroy());
  });
  return {
    openSockets: () => open,
    destroyAll: () => {
      for (const socket of [...all]) socket.destroy();
    },
    accepts: (req) => {
      if (!refused.has(req.socket)) return true;
      req.socket.destroy();
      return false;
    },
  };
}
