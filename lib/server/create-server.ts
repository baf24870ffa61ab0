import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { ShardGroup } from '../shards';
import { dashboardHandler } from './dashboard';
import { ExpectationFailedError, InvalidServerOptionError, OpenServerRefusedError } from './errors';
import { injectionMiddleware, type InjectionServerStats } from './middleware';
import { withListenHost } from './host-check';
import { isLoopbackHost, localUrl, networkUrls } from './listen-address';
import { integerOption, type InjectionMiddlewareOptions } from './options';
import { clientErrorResponse } from './raw-response';
import { sendError } from './responses';
import { guardSockets, resolveSocketLimits, timeoutServerOptions, type SocketLimits } from './socket-guard';

export interface InjectionServerOptions extends Omit<InjectionMiddlewareOptions, 'ui'>, SocketLimits {
  /** What serves non-API paths; default: the dashboard at /v2/error_injection/ui/. `false`: nothing (404). */
  ui?: InjectionMiddlewareOptions['ui'] | false;
  /** The group to serve; default: a new ShardGroup on this thread's injector, closed with the server. */
  shards?: ShardGroup;
  /**
   * Default '127.0.0.1': the API changes program behaviour, so it listens on loopback unless told otherwise.
   * Any other host needs a `token`, or `insecureOpenServer: true`; its name (not an address) joins allowedHosts.
   */
  host?: string;
  /** Lets the server listen beyond loopback without a token, so that anyone who can reach it controls injections. */
  insecureOpenServer?: boolean;
  /** Default 10000, ScyllaDB's REST port; 0 picks a free port (read it from `url`). */
  port?: number;
  /** Milliseconds close() lets requests still in progress finish before it cuts their connections (default 5000). */
  closeTimeoutMs?: number;
}

export interface InjectionServer {
  /** `http://host:port`, with the port actually bound; loopback for a wildcard host (never `0.0.0.0`). */
  readonly url: string;
  /** URLs other machines can use: the external addresses for a wildcard host, none on loopback. */
  readonly networkUrls: readonly string[];
  readonly server: Server;
  readonly shards: ShardGroup;
  stats(): InjectionServerStats;
  /**
   * Ends every event stream cleanly, stops listening, closes idle keep-alive connections, and resolves once
   * the server is down; closes the group too if the server made it. Calling it again returns the same promise.
   */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Starts an HTTP server with ScyllaDB's error-injection REST API and the event stream; resolves once listening. */
export async function createInjectionServer(options: InjectionServerOptions = {}): Promise<InjectionServer> {
  if (typeof options !== 'object' || options === null) throw new InvalidServerOptionError('options must be an object');
  const {
    host = '127.0.0.1',
    shards: given,
    ui = dashboardHandler,
    insecureOpenServer = false,
    maxSockets,
    headersTimeoutMs,
    requestTimeoutMs,
    ...rest
  } = options;
  const socketLimits = resolveSocketLimits({ maxSockets, headersTimeoutMs, requestTimeoutMs });
  const port = integerOption('port', options.port, 10_000, 0, 65_535);
  const closeTimeoutMs = integerOption('closeTimeoutMs', options.closeTimeoutMs, 5000, 0, 2 ** 31 - 1);
  if (typeof host !== 'string' || host === '') throw new InvalidServerOptionError('host must be a non-empty string');
  if (typeof insecureOpenServer !== 'boolean') throw new InvalidServerOptionError('insecureOpenServer must be a boolean');
  const handlerOptions: InjectionMiddlewareOptions = {
    ...rest,
    allowedHosts: withListenHost(rest.allowedHosts, host) as InjectionMiddlewareOptions['allowedHosts'],
    ui: ui === false ? undefined : ui,
  };
  if (rest.token === undefined && !insecureOpenServer && !isLoopbackHost(host)) throw new OpenServerRefusedError(host);
  const ownsGroup = given === undefined;
  const shards = given ?? new ShardGroup();
  let handler;
  try {
    handler = injectionMiddleware(shards, handlerOptions);
  } catch (err) {
    if (ownsGroup) await shards.close();
    throw err;
  }

  // requireHostHeader off: a Host-less request reaches the handler and gets its JSON answer, not Node's bare 400.
  const server = createServer({ requireHostHeader: false, ...timeoutServerOptions(socketLimits) }, (req, res) => {
    if (sockets.accepts(req)) handler(req, res);
  });
  const sockets = guardSockets(server, socketLimits);
  server.on('checkExpectation', (_req, res) => {
    sendError(res, new ExpectationFailedError());
  });
  // Node answers a request it cannot parse with a bare text 400; every answer of this server is JSON.
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (!socket.writable || err.code === 'ECONNRESET') {
      socket.destroy();
      return;
    }
    socket.end(clientErrorResponse(err));
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    if (ownsGroup) await shards.close();
    throw err;
  }

  const address = server.address() as AddressInfo;
  const url = localUrl(address);
  let closing: Promise<void> | undefined;

  const close = (): Promise<void> => {
    closing ??= (async () => {
      const down = new Promise<void>((resolve) => server.close(() => resolve()));
      handler.close();
      // Connections whose request is still in progress finish it; these cut them if they do not in time.
      server.closeIdleConnections();
      const timer = setTimeout(() => {
        server.closeAllConnections();
        sockets.destroyAll();
      }, closeTimeoutMs);
      timer.unref();
      try {
        await down;
      } finally {
        clearTimeout(timer);
      }
      if (ownsGroup) await shards.close();
    })();
    return closing;
  };

  return { url, networkUrls: networkUrls(address), server, shards, stats: () => handler.stats(), close, [Symbol.asyncDispose]: close };
}
