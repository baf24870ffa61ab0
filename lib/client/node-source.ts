import { StringDecoder } from 'node:string_decoder';
import type { Dispatcher } from 'undici';
import { createParser, type EventSourceMessage, type EventSourceParser, type ParseError } from 'eventsource-parser';
import { decodeEvent, type HandlerEvent, type InjectionEvent } from '../event';
import { FaultlineError } from '../errors';
import { DEFAULT_RECONNECT_DELAY, reconnectDelay, type ResolvedReconnectPolicy } from './backoff';
import { ContentTypeError, HttpError, NodeLostError, ProtocolError } from './errors';
import { requestEventStream, type ResponseBody } from './event-stream-request';
import type { GapReason, StreamStatus } from './types';

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
}

export class NodeSource {
  status: StreamStatus = 'connecting';
  /** The id of the last event received, sent as Last-Event-ID on reconnect. */
  lastEventId: string | undefined;

  private readonly parser: EventSourceParser;
  // StringDecoder, not TextDecoder: the same streaming UTF-8 (a character split between chunks is joined, bad
  // bytes become U+FFFD) at a fifth of the cost per byte (measured: ~25 against ~120 ns per 140-byte event).
  private decoder = new StringDecoder('utf8');
  /** No text decoded yet on this connection: a leading BOM is dropped, as TextDecoder and browsers do. */
  private atStart = true;
  private controller: AbortController | undefined;
  private body: ResponseBody | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private idleTimer: NodeJS.Timeout | undefined;
  private lastActivity = 0;
  private connectedAt = 0;
  private attempt = 0;
  private lastFailure: unknown;
  private closed = false;
  /** The server's `retry:`, the base of the backoff unless the policy names one. */
  private serverRetry: number | undefined;
  /** The server sent `retry:` or ids, so it is one that heartbeats: idleness means a dead connection. */
  private serverHeartbeats = false;
  /** Last-Event-ID sent on the current connection; its first id must be of the same epoch (no restart). */
  private resumedFrom: string | undefined;
  private checkEpoch = false;
  private gapOnThisConnection = false;

  constructor(
    private readonly options: NodeSourceOptions,
    private readonly sink: NodeSink,
  ) {
    this.parser = createParser({
      onEvent: (message) => this.onMessage(message),
      onRetry: (ms) => {
        this.serverRetry = ms;
        this.serverHeartbeats = true;
        this.armIdleTimer();
      },
      onError: (err) => this.onParseError(err),
      maxBufferSize: options.maxBufferSize,
    });
  }

  get node(): string {
    return this.options.node;
  }

  /** The first connection: resolves when the server answered 200 with an event stream, else rejects typed. */
  async open(): Promise<void> {
    const body = await this.request();
    if (this.closed) {
      body.destroy();
      return;
    }
    this.attach(body);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.reconnectTimer !== undefined) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    this.detach();
    this.controller?.abort();
    this.setStatus('closed');
  }

  private request(): Promise<ResponseBody> {
    this.controller = new AbortController();
    const headers = { ...this.options.headers };
    if (this.lastEventId !== undefined) headers['last-event-id'] = this.lastEventId;
    this.resumedFrom = this.lastEventId;
    return requestEventStream({
      url: this.options.url,
      node: this.options.node,
      headers,
      dispatcher: this.options.dispatcher,
      signal: this.controller.signal,
      openTimeout: this.options.openTimeout,
      strictContentType: this.options.strictContentType,
    });
  }

  private attach(body: ResponseBody): void {
    this.body = body;
    this.parser.reset();
    this.decoder = new StringDecoder('utf8');
    this.atStart = true;
    this.gapOnThisConnection = false;
    this.checkEpoch = this.resumedFrom !== undefined;
    this.connectedAt = this.lastActivity = performance.now();
    body.on('data', (chunk: Buffer) => this.onData(body, chunk));
    body.once('end', () => this.onDropped(body, new Error('the server ended the stream')));
    body.once('error', (err: Error) => this.onDropped(body, err));
    this.setStatus('open');
    this.armIdleTimer();
  }

  private detach(): void {
    const body = this.body;
    this.body = undefined;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    if (body !== undefined) {
      body.removeAllListeners('data');
      // destroy() may still emit an error (an abort); a listener keeps it from becoming an uncaught one.
      body.on('error', noop);
      body.destroy();
    }
  }

  private onData(body: ResponseBody, chunk: Buffer): void {
    if (body !== this.body) return;
    this.lastActivity = performance.now();
    let text = this.decoder.write(chunk);
    if (this.atStart) {
      if (text === '') return;
      this.atStart = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    try {
      this.parser.feed(text);
    } catch {
      // The parser refuses to feed once it terminated on an oversized line; onParseError handled that.
    }
  }

  private onMessage(message: EventSourceMessage): void {
    if (message.id !== undefined) this.onId(message.id);
    switch (message.event) {
      case undefined:
      case 'message':
        this.onHit(message);
        return;
      case 'gap':
        this.onGapNotice(message.data);
        return;
      case 'handler':
        this.onHandler(message.data);
        return;
      case 'shard-down':
        this.onShardDown(message.data);
        return;
      default:
      // Named events this client does not know (server info, say) are not hits: skip them.
    }
  }

  private onId(id: string): void {
    this.serverHeartbeats = true;
    this.armIdleTimer();
    // An empty id resets the last id, as WHATWG says; the next reconnect then cannot resume.
    this.lastEventId = id === '' ? undefined : id;
    if (!this.checkEpoch || id === '') return;
    this.checkEpoch = false;
    // A server that restarted numbers its events in a new epoch; if it did not say so with a gap notice
    // (an older server, or a history that happened to be empty), the changed epoch says it.
    if (!this.gapOnThisConnection && this.resumedFrom !== undefined && epochOf(id) !== epochOf(this.resumedFrom)) {
      this.sink.gap({ node: this.node, reason: 'restart', lastEventId: this.resumedFrom });
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

  private onGapNotice(data: string): void {
    this.gapOnThisConnection = true;
    this.checkEpoch = false;
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
      lastEventId: typeof notice.lastEventId === 'string' ? notice.lastEventId : this.resumedFrom,
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

  private onParseError(err: ParseError): void {
    // Unknown fields and bad `retry:` values are the server's business; only an oversized line stops us.
    if (err.type !== 'max-buffer-size-exceeded') return;
    this.fail(
      new ProtocolError(this.node, `a line exceeded ${this.options.maxBufferSize} characters without ending`, {
        cause: err,
      }),
    );
  }

  private armIdleTimer(): void {
    const { idleTimeout, idleTimeoutAlways } = this.options;
    if (idleTimeout <= 0 || this.idleTimer !== undefined || this.body === undefined) return;
    if (!idleTimeoutAlways && !this.serverHeartbeats) return;
    this.idleTimer = setTimeout(() => this.checkIdle(), idleTimeout);
    this.idleTimer.unref();
  }

  private checkIdle(): void {
    this.idleTimer = undefined;
    const body = this.body;
    if (body === undefined) return;
    const idle = performance.now() - this.lastActivity;
    if (idle < this.options.idleTimeout) {
      this.idleTimer = setTimeout(() => this.checkIdle(), this.options.idleTimeout - idle);
      this.idleTimer.unref();
      return;
    }
    const why = new ProtocolError(
      this.node,
      `no data and no heartbeat for ${Math.round(idle)} ms (idleTimeout ${this.options.idleTimeout} ms); reconnecting`,
    );
    this.sink.problem(why);
    this.onDropped(body, why);
  }

  private onDropped(body: ResponseBody, cause: unknown): void {
    if (body !== this.body) return;
    // A connection that lived a while was a success: the next outage gets the full budget of attempts.
    if (performance.now() - this.connectedAt >= Math.max(1000, this.options.reconnect.maxDelay)) this.attempt = 0;
    this.detach();
    if (this.closed) return;
    this.lastFailure = cause;
    this.setStatus('reconnecting');
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
    this.reconnectTimer = setTimeout(() => void this.reconnect(), delay);
  }

  private async reconnect(): Promise<void> {
    this.reconnectTimer = undefined;
    if (this.closed) return;
    let body: ResponseBody;
    try {
      body = await this.request();
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
    this.attach(body);
    // Without an id to resume from, whatever happened while the connection was down is gone.
    if (this.resumedFrom === undefined) this.sink.gap({ node: this.node, reason: 'unresumable' });
  }

  private fail(error: FaultlineError): void {
    this.detach();
    this.controller?.abort();
    this.lose(error);
  }

  private lose(cause: unknown): void {
    if (this.closed) return;
    this.closed = true;
    this.setStatus('closed');
    this.sink.lost(this.node, new NodeLostError(this.node, this.attempt, cause));
  }

  private setStatus(status: StreamStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.sink.status(this.node, status);
  }
}

/** The server's epoch in an id `<epoch>-<seq>`: all before the last '-' (the whole id if there is none). */
export function epochOf(id: string): string {
  const dash = id.lastIndexOf('-');
  return dash < 0 ? id : id.slice(0, dash);
}

/** A refusal that retrying will not change: a 4xx other than 408/429, or not an event stream at all. */
function isRefusal(err: unknown): boolean {
  if (err instanceof ContentTypeError) return true;
  return err instanceof HttpError && err.status >= 400 && err.status < 500 && err.status !== 408 && err.status !== 429;
}

function noop(): void {}
