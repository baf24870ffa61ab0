import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher } from 'undici';
import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from 'eventsource-parser';
import { decodeEvent, type HandlerEvent, type InjectionEvent } from '../event';
import { epochOf } from '../wire';
import { FaultlineError } from '../errors';
import { DEFAULT_RECONNECT_DELAY, reconnectDelay, type ResolvedReconnectPolicy } from './backoff';
import { ContentTypeError, HttpError, NodeLostError, ProtocolError } from './errors';
import { requestEventStream, type EventStreamBody } from './event-stream-request';
import { parseControlNotice } from './control-notice';
import type { ControlNotice, GapReason, StreamStatus } from './types';

// One node's event stream, kept open: it reads the body with eventsource-parser, keeps the last event id
// itself (the parser forgets it after each event), reconnects with Last-Event-ID and a jittered backoff,
// and tells its sink about every event, gap, status change and problem. It knows nothing of RxJS or waits.

export interface GapReport {
  readonly node: string;
  readonly reason: GapReason;
  readonly lastEventId?: string;
  readonly oldestId?: string;
}

export interface NodeSink {
  event(node: string, event: InjectionEvent): void;
  handler(node: string, event: HandlerEvent): void;
  /** The node said one of its shards went down (a faultline server only). */
  shardDown(node: string, shard: number): void;
  /** The node said an injection was enabled, disabled, messaged (a faultline server only, `event: control`). */
  control(node: string, notice: ControlNotice): void;
  gap(report: GapReport): void;
  status(node: string, status: StreamStatus): void;
  /** Something went wrong that the source works around (an undecodable event, a failed reconnect attempt). */
  problem(error: FaultlineError): void;
  /** The source gave up: reconnecting failed `attempts` times, or the server refused for good. */
  lost(node: string, error: NodeLostError): void;
}

export interface NodeSourceOptions {
  readonly node: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly dispatcher: Dispatcher;
  readonly openTimeout: number;
  /** Milliseconds without a byte after which a connection counts as dead (0: never). */
  readonly idleTimeout: number;
  /** true: watch idleness from the start; false: only once the server showed it heartbeats. */
  readonly idleTimeoutAlways: boolean;
  readonly reconnect: ResolvedReconnectPolicy;
  readonly maxBufferSize: number;
  readonly strictContentType: boolean;
  /** Sent as Last-Event-ID on the first connection too: the server replays the hits after it first. */
  readonly startAfter?: string;
}

/** One connection, from its request to its end: everything that must start afresh when it is replaced. */
class Connection {
  readonly controller = new AbortController();
  readonly parser: EventSourceParser;
  // StringDecoder, not TextDecoder: the same streaming UTF-8 (a character split between chunks is joined, bad
  // bytes become U+FFFD) at a fifth of the cost per byte (measured: ~25 against ~120 ns per 140-byte event).
  readonly decoder = new StringDecoder('utf8');
  body: EventStreamBody | undefined;
  /** No text decoded yet: a leading BOM is dropped, as TextDecoder and browsers do. */
  atStart = true;
  /** Its first id must be of the epoch of `resumedFrom` (no restart), unless a gap notice came first. */
  checkEpoch: boolean;
  gapNoticed = false;
  connectedAt = 0;
  lastActivity = 0;
  idleTimer: NodeJS.Timeout | undefined;

  constructor(
    /** The Last-Event-ID this connection was requested with. */
    readonly resumedFrom: string | undefined,
    callbacks: ParserCallbacks,
    maxBufferSize: number,
  ) {
    this.checkEpoch = resumedFrom !== undefined;
    this.parser = createParser({ ...callbacks, maxBufferSize });
  }
}

type ParserCallbacks = Pick<Parameters<typeof createParser>[0], 'onEvent' | 'onRetry' | 'onError'>;

/**
 * Where a source is: requesting its first connection, open on one, between connections (a backoff timer
 * pending, or a reconnect request in flight), or closed for good.
 */
type Phase =
  | { readonly status: 'connecting'; readonly connection: Connection }
  | { readonly status: 'open'; readonly connection: Connection }
  | { readonly status: 'reconnecting'; readonly timer?: NodeJS.Timeout; readonly connection?: Connection }
  | { readonly status: 'closed' };

export class NodeSource {
  private phase: Phase;
  /** The id of the last event received, sent as Last-Event-ID on reconnect. */
  private lastId: string | undefined;
  /** Reconnect attempts since the last connection that lived long enough to count as a success. */
  private attempt = 0;
  private lastFailure: unknown;
  /** The server's `retry:`, the base of the backoff unless the policy names one. */
  private serverRetry: number | undefined;
  /** The server sent `retry:` or ids, so it is one that heartbeats: idleness means a dead connection. */
  private serverHeartbeats = false;

  constructor(
    private readonly options: NodeSourceOptions,
    private readonly sink: NodeSink,
  ) {
    this.lastId = options.startAfter;
    this.phase = { status: 'connecting', connection: this.newConnection(options.startAfter) };
  }

  get node(): string {
    return this.options.node;
  }

  get status(): StreamStatus {
    return this.phase.status;
  }

  /** The id of the last event received (what a reconnect resumes from). */
  get lastEventId(): string | undefined {
    return this.lastId;
  }

  /** The first connection: resolves when the server answered 200 with an event stream, else rejects typed. */
  async open(): Promise<void> {
    if (this.phase.status !== 'connecting') throw new Error('NodeSource.open() is called once');
    const connection = this.phase.connection;
    const body = await this.request(connection);
    if (this.closed) {
      body.destroy();
      return;
    }
    this.attach(connection, body);
  }

  close(): void {
    const phase = this.phase;
    if (phase.status === 'closed') return;
    if (phase.status === 'reconnecting' && phase.timer !== undefined) clearTimeout(phase.timer);
    this.phase = { status: 'closed' };
    const connection = 'connection' in phase ? phase.connection : undefined;
    if (connection !== undefined) this.end(connection);
    this.sink.status(this.node, 'closed');
  }

  /** A getter, not a narrowed read: the phase can change across any await. */
  private get closed(): boolean {
    return this.phase.status === 'closed';
  }

  private newConnection(resumedFrom: string | undefined): Connection {
    const connection: Connection = new Connection(
      resumedFrom,
      {
        onEvent: (message) => this.onMessage(connection, message),
        onRetry: (ms) => {
          this.serverRetry = ms;
          this.serverHeartbeats = true;
          this.armIdleTimer(connection);
        },
        onError: (err) => this.onParseError(connection, err),
      },
      this.options.maxBufferSize,
    );
    return connection;
  }

  private request(connection: Connection): Promise<EventStreamBody> {
    const headers = { ...this.options.headers };
    if (connection.resumedFrom !== undefined) headers['last-event-id'] = connection.resumedFrom;
    return requestEventStream({
      url: this.options.url,
      node: this.options.node,
      headers,
      dispatcher: this.options.dispatcher,
      signal: connection.controller.signal,
      openTimeout: this.options.openTimeout,
      strictContentType: this.options.strictContentType,
    });
  }

  private attach(connection: Connection, body: EventStreamBody): void {
    connection.body = body;
    connection.connectedAt = connection.lastActivity = performance.now();
    this.setPhase({ status: 'open', connection });
    this.armIdleTimer(connection);
    // Once open, since only the current connection reads; what came with the headers follows on the next tick.
    body.listen({
      data: (chunk) => this.onData(connection, chunk),
      end: (err) => this.onDropped(connection, err ?? new Error('the server ended the stream')),
    });
  }

  /** Stops a connection for good: its timer, its body and its request. */
  private end(connection: Connection): void {
    if (connection.idleTimer !== undefined) clearTimeout(connection.idleTimer);
    connection.idleTimer = undefined;
    const body = connection.body;
    connection.body = undefined;
    body?.destroy();
    connection.controller.abort();
  }

  private isCurrent(connection: Connection): boolean {
    return this.phase.status === 'open' && this.phase.connection === connection;
  }

  private onData(connection: Connection, chunk: Buffer): void {
    if (!this.isCurrent(connection)) return;
    connection.lastActivity = performance.now();
    let text = connection.decoder.write(chunk);
    if (connection.atStart) {
      if (text === '') return;
      connection.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    try {
      connection.parser.feed(text);
    } catch {
      // The parser refuses to feed once it terminated on an oversized line; onParseError handled that.
    }
  }

  private onMessage(connection: Connection, message: EventSourceMessage): void {
    if (message.id !== undefined) this.onId(connection, message.id);
    switch (message.event) {
      case undefined:
      case 'message':
        this.onHit(message);
        return;
      case 'gap':
        this.onGapNotice(connection, message.data);
        return;
      case 'handler':
        this.onHandler(message.data);
        return;
      case 'shard-down':
        this.onShardDown(message.data);
        return;
      case 'control':
        this.onControl(message.data);
        return;
      default:
      // Named events this client does not know (server info, say) are not hits: skip them.
    }
  }

  private onId(connection: Connection, id: string): void {
    this.serverHeartbeats = true;
    this.armIdleTimer(connection);
    // An empty id resets the last id, as WHATWG says; the next reconnect then cannot resume.
    this.lastId = id === '' ? undefined : id;
    if (!connection.checkEpoch || id === '') return;
    connection.checkEpoch = false;
    const resumedFrom = connection.resumedFrom;
    // A server that restarted numbers its events in a new epoch; if it did not say so with a gap notice
    // (an older server, or a history that happened to be empty), the changed epoch says it.
    if (!connection.gapNoticed && resumedFrom !== undefined && epochOf(id) !== epochOf(resumedFrom)) {
      this.sink.gap({ node: this.node, reason: 'restart', lastEventId: resumedFrom });
    }
  }

  private onHit(message: EventSourceMessage): void {
    let event: InjectionEvent;
    try {
      event = decodeEvent(message.data, message.id);
    } catch (err) {
      this.sink.problem(new ProtocolError(this.node, (err as Error).message, { cause: err }));
      return;
    }
    this.sink.event(this.node, event);
  }

  private onGapNotice(connection: Connection, data: string): void {
    connection.gapNoticed = true;
    connection.checkEpoch = false;
    let notice: Record<string, unknown> = {};
    try {
      const parsed: unknown = JSON.parse(data);
      if (typeof parsed === 'object' && parsed !== null) notice = parsed as Record<string, unknown>;
    } catch {
      // A gap notice we cannot read is still a gap.
    }
    this.sink.gap({
      node: this.node,
      reason: notice.reason === 'restart' ? 'restart' : 'history',
      lastEventId: typeof notice.lastEventId === 'string' ? notice.lastEventId : connection.resumedFrom,
      oldestId: notice.oldestId === undefined || notice.oldestId === null ? undefined : String(notice.oldestId),
    });
  }

  private onHandler(data: string): void {
    try {
      const o = JSON.parse(data) as HandlerEvent;
      if (typeof o.injection === 'string' && typeof o.phase === 'string') this.sink.handler(this.node, o);
    } catch (err) {
      this.sink.problem(new ProtocolError(this.node, `unreadable handler event: ${(err as Error).message}`));
    }
  }

  private onShardDown(data: string): void {
    try {
      const { shard } = JSON.parse(data) as { shard?: unknown };
      if (typeof shard === 'number' && Number.isInteger(shard) && shard >= 0) {
        this.sink.shardDown(this.node, shard);
        return;
      }
    } catch {
      // reported below
    }
    this.sink.problem(new ProtocolError(this.node, `unreadable shard-down event: ${data}`));
  }

  private onControl(data: string): void {
    const notice = parseControlNotice(data);
    if (notice !== undefined) this.sink.control(this.node, notice);
    else this.sink.problem(new ProtocolError(this.node, `unreadable control event: ${data}`));
  }

  private onParseError(connection: Connection, err: ParseError): void {
    // Unknown fields and bad `retry:` values are the server's business; only an oversized line stops us.
    if (err.type !== 'max-buffer-size-exceeded' || !this.isCurrent(connection)) return;
    this.end(connection);
    this.lose(
      new ProtocolError(this.node, `a line exceeded ${this.options.maxBufferSize} characters without ending`, {
        cause: err,
      }),
    );
  }

  private armIdleTimer(connection: Connection): void {
    const { idleTimeout, idleTimeoutAlways } = this.options;
    if (idleTimeout <= 0 || connection.idleTimer !== undefined || !this.isCurrent(connection)) return;
    if (!idleTimeoutAlways && !this.serverHeartbeats) return;
    connection.idleTimer = setTimeout(() => this.checkIdle(connection), idleTimeout);
    connection.idleTimer.unref();
  }

  private checkIdle(connection: Connection): void {
    connection.idleTimer = undefined;
    if (!this.isCurrent(connection)) return;
    const idle = performance.now() - connection.lastActivity;
    if (idle < this.options.idleTimeout) {
      connection.idleTimer = setTimeout(() => this.checkIdle(connection), this.options.idleTimeout - idle);
      connection.idleTimer.unref();
      return;
    }
    const why = new ProtocolError(
      this.node,
      `no data and no heartbeat for ${Math.round(idle)} ms (idleTimeout ${this.options.idleTimeout} ms); reconnecting`,
    );
    this.sink.problem(why);
    this.onDropped(connection, why);
  }

  private onDropped(connection: Connection, cause: unknown): void {
    if (!this.isCurrent(connection)) return;
    // A connection that lived a while was a success: the next outage gets the full budget of attempts.
    if (performance.now() - connection.connectedAt >= Math.max(1000, this.options.reconnect.maxDelay)) this.attempt = 0;
    this.end(connection);
    this.lastFailure = cause;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const policy = this.options.reconnect;
    if (this.attempt >= policy.attempts) {
      this.lose(this.lastFailure);
      return;
    }
    const base = policy.initialDelay ?? this.serverRetry ?? DEFAULT_RECONNECT_DELAY;
    const delay = reconnectDelay(this.attempt, base, policy);
    this.attempt++;
    this.setPhase({ status: 'reconnecting', timer: setTimeout(() => void this.reconnect(), delay) });
  }

  private async reconnect(): Promise<void> {
    if (this.phase.status !== 'reconnecting') return;
    const connection = this.newConnection(this.lastId);
    this.phase = { status: 'reconnecting', connection };
    let body: EventStreamBody;
    try {
      body = await this.request(connection);
    } catch (err) {
      if (this.closed) return;
      this.lastFailure = err;
      if (err instanceof FaultlineError) this.sink.problem(err);
      if (isRefusal(err)) this.lose(err);
      else this.scheduleReconnect();
      return;
    }
    if (this.closed) {
      body.destroy();
      return;
    }
    this.attach(connection, body);
    // Without an id to resume from, whatever happened while the connection was down is gone.
    if (connection.resumedFrom === undefined) this.sink.gap({ node: this.node, reason: 'unresumable' });
  }

  private lose(cause: unknown): void {
    if (this.closed) return;
    this.phase = { status: 'closed' };
    this.sink.status(this.node, 'closed');
    this.sink.lost(this.node, new NodeLostError(this.node, this.attempt, cause));
  }

  /** Moves to `phase`, telling the sink when the status it shows changes. */
  private setPhase(phase: Phase): void {
    const changed = phase.status !== this.phase.status;
    this.phase = phase;
    if (changed) this.sink.status(this.node, phase.status);
  }
}

/** A refusal that retrying will not change: a 4xx other than 408/429, or not an event stream at all. */
function isRefusal(err: unknown): boolean {
  if (err instanceof ContentTypeError) return true;
  return err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}
