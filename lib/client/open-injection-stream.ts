import { Client, type Dispatcher } from 'undici';
import { isInjectionType, type InjectionType } from '../event';
import { scopeProblem } from '../wire';
import { resolveReconnectPolicy, type ReconnectPolicy } from './backoff';
import { ClientArgumentError } from './errors';
import { InjectionStream, type StreamFilter } from './injection-stream';
import { eventsUrl, nodeName, nodeUrl, type NodeAddress } from './node-url';
import { toPositionCheck } from './operators/after-position';
import type { StreamPositions } from './types';

export interface OpenInjectionStreamOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** Server-side filters (`?injection=&shard=&type=`), also applied here for servers that ignore them. */
  injection?: string | readonly string[];
  shard?: number | readonly number[];
  type?: InjectionType | readonly InjectionType[];
  /** Only hits of enablements in this injection scope, or these (`?scope=`; faultline's, ScyllaDB has no scopes). */
  scope?: string | readonly string[];
  /** Ask for handler progress (`?handler=1`), delivered on `handler$`. */
  handlerEvents?: boolean;
  /**
   * Ask a faultline server to say when a shard goes down (`?shard_down=1`, default true), so a wait limited to
   * shards that are all down fails with ShardDownError at once instead of running to its timeout.
   */
  shardEvents?: boolean;
  /**
   * Ask a faultline server for control notices (`?control=1`, default true), delivered on `control$`, so a
   * wait whose injection is disabled after it started fails with InjectionEndedError at once.
   */
  controlEvents?: boolean;
  /**
   * Ask for every parameter in every event (`?params=full`). By default a faultline server keeps an event's
   * parameters within a few KiB and marks an event whose set it cut with `paramsTruncated: true` (the whole
   * set is on `InjectionApi.get`); with this, events carry the whole set, up to the 1 MiB an enable accepts.
   */
  fullParams?: boolean;
  /**
   * Start after a stream position (what `InjectionApi.enable` resolves to; a record by node name for a
   * cluster): the first request sends it as `Last-Event-ID`, so a faultline server first sends the hits after
   * it that its history still holds (a `gap` when it no longer reaches back, or the server restarted since),
   * then live ones. A node without one starts live, as by default.
   */
  after?: StreamPositions;
  /** How many received events are replayed to late subscribers and waits (default 10000). */
  replay?: number;
  /** Reconnecting a dropped node: bounded attempts, exponential backoff with jitter. */
  reconnect?: ReconnectPolicy;
  /**
   * Milliseconds without a byte (event or heartbeat) after which a connection is taken for dead and
   * re-established (default 45000, three of the server's 15 s heartbeats; 0: never). Watched only once the
   * server has shown it heartbeats (it sent `retry:` or event ids), unless set explicitly: a ScyllaDB node
   * sends neither and may be silent for good.
   */
  idleTimeout?: number;
  /** Milliseconds to connect and get the response headers, and for a refusal's body to end (default 10000). */
  openTimeout?: number;
  /** false accepts a stream served with another content type (default true: text/event-stream only). */
  strictContentType?: boolean;
  /** Longest line, in characters, the parser buffers before it gives the connection up (default 8 MiB). */
  maxLineLength?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
  /**
   * The undici Dispatcher to use. By default the stream makes its own undici Client per node (one connection,
   * no body timeout) and destroys them on close; a dispatcher you pass stays yours, and should not have a body
   * timeout shorter than the server's heartbeat.
   */
  dispatcher?: Dispatcher;
}

const DEFAULT_REPLAY = 10_000;
const DEFAULT_IDLE_TIMEOUT = 45_000;
const DEFAULT_OPEN_TIMEOUT = 10_000;
const DEFAULT_MAX_LINE = 8 * 1024 * 1024;

/**
 * Opens the event stream of one node, or of several merged into one (each event carries its `node`).
 * Resolves once every node answered 200 with `text/event-stream`, so a test can enable and trigger right
 * after with no race; rejects with `NetworkError`, `HttpError` or `ContentTypeError` naming the node that
 * failed (and closes the others).
 *
 * @example
 * await using stream = await openInjectionStream(server.url);
 * await api.enable('x');
 * const hit = await stream.waitForInjection('x', { timeout: 5000 });
 */
export async function openInjectionStream(
  target: NodeAddress | readonly NodeAddress[],
  options: OpenInjectionStreamOptions = {},
): Promise<InjectionStream> {
  const addresses: readonly NodeAddress[] = Array.isArray(target) ? target : [target as NodeAddress];
  if (addresses.length === 0) throw new ClientArgumentError('openInjectionStream: at least one URL is required');
  const replay = options.replay ?? DEFAULT_REPLAY;
  positiveInteger('replay', replay);
  const idleTimeout = options.idleTimeout ?? DEFAULT_IDLE_TIMEOUT;
  const openTimeout = options.openTimeout ?? DEFAULT_OPEN_TIMEOUT;
  const maxLineLength = options.maxLineLength ?? DEFAULT_MAX_LINE;
  milliseconds('idleTimeout', idleTimeout, true);
  milliseconds('openTimeout', openTimeout, false);
  positiveInteger('maxLineLength', maxLineLength);
  const reconnect = resolveReconnectPolicy(options.reconnect);
  const filter = streamFilter(options);

  const names = addresses.map(nodeName);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new ClientArgumentError(`openInjectionStream: node ${duplicate} is given twice`);

  const startAfter = startPositions(options.after, names);
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  const urls = addresses.map((address) => withFilters(eventsUrl(nodeUrl(address)), options));
  // A Client per node rather than an Agent per stream: an event stream holds one connection to each node, and an
  // Agent's pool (its request queue alone is an array of 2 048 slots, 16 KiB) made an idle stream cost 36 KiB, not 10.
  const dispatchers = urls.map(
    (url) =>
      options.dispatcher ??
      new Client(url.origin, { bodyTimeout: 0, headersTimeout: openTimeout, connect: { timeout: openTimeout } }),
  );

  const stream = new InjectionStream({
    nodes: names.map((node, i) => ({
      node,
      url: urls[i],
      headers,
      dispatcher: dispatchers[i],
      openTimeout,
      idleTimeout,
      idleTimeoutAlways: options.idleTimeout !== undefined,
      reconnect,
      maxBufferSize: maxLineLength,
      strictContentType: options.strictContentType ?? true,
      startAfter: startAfter[i],
    })),
    filter,
    replay,
    ownedDispatchers: options.dispatcher === undefined ? dispatchers : [],
  });
  await stream.connect();
  return stream;
}

/** Each node's start position, checked: one position only for a stream of one node. */
function startPositions(after: StreamPositions | undefined, names: readonly string[]): (string | undefined)[] {
  if (after === undefined) return names.map(() => undefined);
  toPositionCheck(after, 'openInjectionStream: after');
  if (typeof after === 'string') {
    if (names.length !== 1) {
      throw new ClientArgumentError('openInjectionStream: one `after` position is for one node; give a record of them by node name');
    }
    return [after];
  }
  return names.map((name) => after[name]);
}

function withFilters(url: URL, options: OpenInjectionStreamOptions): URL {
  for (const name of list(options.injection)) url.searchParams.append('injection', name);
  for (const shard of list(options.shard)) url.searchParams.append('shard', String(shard));
  for (const type of list(options.type)) url.searchParams.append('type', type);
  for (const scope of list(options.scope)) url.searchParams.append('scope', scope);
  if (options.handlerEvents === true) url.searchParams.set('handler', '1');
  if (options.shardEvents !== false) url.searchParams.set('shard_down', '1');
  if (options.controlEvents !== false) url.searchParams.set('control', '1');
  if (options.fullParams === true) url.searchParams.set('params', 'full');
  return url;
}

function streamFilter(options: OpenInjectionStreamOptions): StreamFilter {
  const injections = list(options.injection);
  const shards = list(options.shard);
  const types = list(options.type);
  const scopes = list(options.scope);
  const refuse = (what: string, value: unknown) => {
    throw new ClientArgumentError(`openInjectionStream: ${what} filter: ${JSON.stringify(value)} is not valid`);
  };
  for (const n of injections) if (typeof n !== 'string' || n === '') refuse('injection', n);
  for (const s of shards) if (!Number.isInteger(s) || s < 0) refuse('shard', s);
  for (const t of types) if (!isInjectionType(t)) refuse('type', t);
  for (const s of scopes) if (scopeProblem(s) !== undefined) refuse('scope', s);
  return {
    injections: injections.length > 0 ? new Set(injections) : undefined,
    shards: shards.length > 0 ? new Set(shards) : undefined,
    types: types.length > 0 ? new Set(types) : undefined,
    scopes: scopes.length > 0 ? new Set(scopes) : undefined,
  };
}

function list<T>(value: T | readonly T[] | undefined): readonly T[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value as T];
}

function positiveInteger(what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) {
    throw new ClientArgumentError(`openInjectionStream: ${what} must be an integer >= 1, not ${String(value)}`);
  }
}

function milliseconds(what: string, value: number, zeroAllowed: boolean): void {
  if (!Number.isFinite(value) || value < 0 || (!zeroAllowed && value === 0)) {
    const least = zeroAllowed ? 0 : 1;
    throw new ClientArgumentError(`openInjectionStream: ${what} must be milliseconds >= ${least}, not ${String(value)}`);
  }
}
