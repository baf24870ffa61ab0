import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ShardGroup } from '../shards';
import { checkOrigin, checkToken } from './access';
import { bodyPending, RequestAbortedError } from './body';
import { InvalidServerOptionError, MethodNotAllowedError, NotFoundError, ServiceUnavailableError } from './errors';
import { serveEvents } from './events-route';
import { checkHost } from './host-check';
import { resolveHandlerOptions, type InjectionMiddlewareOptions, type NextFunction } from './options';
import { sendError } from './responses';
import {
  disableAll,
  disableInjection,
  enableInjection,
  enterCount,
  lifetimeEnterCount,
  lifetimeEnterCounts,
  listInjections,
  messageInjection,
  parkedHandlers,
  readInjection,
  refuseDisconnect,
} from './rest-routes';
import { decodeName, matchRoute, ROUTE_METHODS, type Route } from './route';
import type { SseStreamOptions } from './sse-stream';
import { StreamRegistry } from './stream-registry';

/** What a server (or handler) shows of itself, for tests that look for leaks and for operators. */
export interface InjectionServerStats {
  /** Event streams open now. */
  readonly streams: number;
  /** Requests being served now, open event streams included (maxConnections bounds the others, maxStreams the streams). */
  readonly requests: number;
  /** Live-source subscribers on each shard, index = shard (the group's subscriberCounts()). */
  readonly subscriptions: number[];
  /** Event streams opened since the handler was made. */
  readonly streamsOpened: number;
  /** Event streams cut off because their client fell behind past maxBufferBytes. */
  readonly streamsCut: number;
  /** Bytes held now for event-stream clients that have not read them yet. */
  readonly bufferedBytes: number;
}

/** `(req, res, next?)`: mount it in node:http, Express (`app.use(handler)`) or Fastify (see docs/guide.md). */
export interface InjectionMiddleware {
  (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void;
  readonly shards: ShardGroup;
  stats(): InjectionServerStats;
  /** Ends every event stream (written out first, unless its client stopped reading) and answers 503 from then on. */
  close(): void;
}

/**
 * Serves ScyllaDB's error-injection REST routes and the event stream for `shards`. A request for any other
 * path goes to `options.ui` if given, then to `next` if given, else gets a 404.
 *
 * Checks run in this order, so a client without the token learns nothing about routes or names:
 * host (403, on every request this handler answers, the ui's included), route (else next/404), capacity (503),
 * token (401), method (405), origin (403), then the name, query and body (400), and only then does the group act.
 */
export function injectionMiddleware(shards: ShardGroup, options: InjectionMiddlewareOptions = {}): InjectionMiddleware {
  if (typeof shards !== 'object' || shards === null || typeof shards.events !== 'function') {
    throw new InvalidServerOptionError('injectionMiddleware needs a ShardGroup as its first argument');
  }
  const config = resolveHandlerOptions(options);
  const registry = new StreamRegistry();
  const streamOptions: SseStreamOptions = {
    heartbeatMs: config.heartbeatMs,
    retryMs: config.retryMs,
    maxBufferBytes: config.maxBufferBytes,
  };
  let requests = 0;
  let streamRequests = 0;
  /** REST requests whose body is still arriving: bounded by the body timeout and the socket cap, not by maxConnections. */
  let awaitingBody = 0;
  let closed = false;

  const handle = (req: IncomingMessage, res: ServerResponse, next?: NextFunction): void => {
    const target = req.url ?? '';
    const route = matchRoute(target);
    // A request passed on to the host app's `next` is that app's business; anything answered here is checked.
    if (route !== null || config.ui !== undefined || next === undefined) {
      try {
        checkHost(req, config.hosts);
      } catch (err) {
        sendError(res, err);
        return;
      }
    }
    if (route === null) {
      const fallback: NextFunction = next ?? (() => sendError(res, new NotFoundError(target.split('?')[0])));
      if (config.ui !== undefined) config.ui(req, res, fallback);
      else fallback();
      return;
    }
    if (closed) {
      sendError(res, new ServiceUnavailableError('the server is closing'));
      return;
    }
    const isStream = route.kind === 'events';
    if (isStream ? streamRequests >= config.maxStreams : requests - streamRequests - awaitingBody >= config.maxConnections) {
      const limit = isStream ? `${config.maxStreams} event streams` : `${config.maxConnections} requests`;
      sendError(res, new ServiceUnavailableError(`the server is serving its maximum of ${limit}; try again`));
      return;
    }
    requests++;
    if (isStream) streamRequests++;
    let waiting = !isStream && bodyPending(req);
    const bodyIn = (): void => {
      if (waiting) awaitingBody--;
      waiting = false;
    };
    if (waiting) {
      awaitingBody++;
      req.once('end', bodyIn);
    }
    res.once('close', () => {
      requests--;
      if (isStream) streamRequests--;
      bodyIn();
    });
    serve(route, req, res).catch((err: unknown) => {
      if (err instanceof RequestAbortedError) res.destroy();
      else sendError(res, err);
    });
  };

  const serve = async (route: Route, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    checkToken(req, config.token, route.kind === 'events' ? queryToken(route.query) : undefined);
    const method = req.method ?? '';
    const allowed = ROUTE_METHODS[route.kind];
    if (!allowed.includes(method)) throw new MethodNotAllowedError(method, allowed);
    checkOrigin(req, config.allowedOrigins);
    const group = shards;
    switch (route.kind) {
      case 'injections':
        return method === 'GET' ? listInjections(res, group, route.query) : disableAll(res, group, route.query);
      case 'events':
        return serveEvents(req, res, group, route.query, registry, streamOptions);
      case 'enters':
        return enterCount(res, group, nameOf(route), route.query);
      case 'lifetime-enters':
        return lifetimeEnterCount(res, group, nameOf(route), route.query);
      case 'lifetime-enters-all':
        return lifetimeEnterCounts(res, group, route.query);
      case 'parked':
        return parkedHandlers(res, group, route.query);
      case 'disconnect':
        return refuseDisconnect(route.rawName ?? '');
      case 'message':
        return messageInjection(res, group, nameOf(route), route.query);
      case 'injection': {
        const name = nameOf(route);
        if (method === 'GET') return readInjection(res, group, name, route.query);
        if (method === 'POST') return enableInjection(req, res, group, name, route.query);
        return disableInjection(res, group, name, route.query);
      }
    }
  };

  return Object.assign(handle, {
    shards,
    stats: (): InjectionServerStats => ({
      streams: registry.size,
      requests,
      subscriptions: shards.subscriberCounts(),
      streamsOpened: registry.opened,
      streamsCut: registry.cut,
      bufferedBytes: registry.bufferedBytes(),
    }),
    close: (): void => {
      closed = true;
      registry.endAll();
    },
  });
}

function nameOf(route: Route): string {
  return decodeName(route.rawName ?? '');
}

/** The `access_token` of the event stream's query, read before the query is checked (that comes after the token). */
function queryToken(rawQuery: string): string | undefined {
  if (rawQuery === '') return undefined;
  return new URLSearchParams(rawQuery).get('access_token') ?? undefined;
}
