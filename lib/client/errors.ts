import { FaultlineError } from '../errors';
import type { GapNotice, ReceivedInjectionEvent } from './types';

// Every way the client can fail, one typed class per cause, so a test (or a tool) branches on `err.code`.

/** A URL, option or argument the client cannot use; thrown before any request is made. */
export class ClientArgumentError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_CLIENT_ARGUMENT' as const;
}

/** The request never got an HTTP answer: connection refused, reset, DNS, headers timeout. */
export class NetworkError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_NETWORK' as const;

  constructor(
    readonly url: string,
    readonly node: string | undefined,
    cause: unknown,
  ) {
    const why = describeCause(cause);
    super(`${node !== undefined ? `node ${node}: ` : ''}cannot reach ${url}: ${why}`, {
      cause,
    });
  }
}

/** The server answered with a status the client cannot use; `body` holds (the start of) what it said. */
export class HttpError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_HTTP' as const;

  /** The `message` of a faultline server's JSON error body, when it sent one. */
  readonly serverMessage: string | undefined;
  /** The `code` of a faultline server's JSON error body, when it sent one. */
  readonly serverCode: string | undefined;
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
    readonly node?: string,
  ) {
    const parsed = parseErrorBody(body);
    const detail = parsed.message ?? (body.trim() === '' ? '(empty body)' : body.trim().slice(0, 500));
    super(`${node !== undefined ? `node ${node}: ` : ''}${method} ${url} answered ${status}: ${detail}`);
    this.serverMessage = parsed.message;
    this.serverCode = parsed.code;
  }
}

/** A REST route answered 2xx with a body that is not what the route returns (not JSON, not the right shape). */
export class ResponseShapeError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_RESPONSE' as const;

  constructor(
    readonly method: string,
    readonly url: string,
    readonly body: string,
    expected: string,
  ) {
    super(`${method} ${url} answered ${JSON.stringify(body.slice(0, 200))}, not ${expected}`);
  }
}

/** The events URL answered 200 but not with `text/event-stream`: not an event stream (wrong path or server). */
export class ContentTypeError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_CONTENT_TYPE' as const;

  constructor(
    readonly url: string,
    readonly contentType: string | undefined,
    readonly node?: string,
  ) {
    super(
      `${node !== undefined ? `node ${node}: ` : ''}${url} answered 200 with content-type ` +
        `${contentType === undefined ? '(none)' : JSON.stringify(contentType)}, not text/event-stream`,
    );
  }
}

/** The server sent something the client cannot read as an event stream (an oversized line, for one). */
export class ProtocolError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_PROTOCOL' as const;

  constructor(
    readonly node: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`node ${node}: ${message}`, options);
  }
}

/** The stream was closed (by `close()` or `await using`) while something still waited on it. */
export class StreamClosedError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_STREAM_CLOSED' as const;

  constructor(what: string) {
    super(`${what}: the injection stream was closed`);
  }
}

/** A node's connection dropped and every reconnect attempt failed; its events are no longer watched. */
export class NodeLostError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_NODE_LOST' as const;

  constructor(
    readonly node: string,
    readonly attempts: number,
    cause: unknown,
  ) {
    super(
      `node ${node}: connection lost and not re-established after ${attempts} attempt(s): ${describeCause(cause)}`,
      { cause },
    );
  }
}

/**
 * Events may have been lost while a wait was pending: the server's history no longer reached back to the
 * client's last event, the server restarted, or it cannot resume at all (ScyllaDB keeps no history). Raised
 * instead of letting the wait hang until its timeout.
 */
export class EventGapError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_EVENT_GAP' as const;

  constructor(
    readonly injection: string,
    readonly gap: GapNotice,
  ) {
    super(`waitForInjection("${injection}"): ${describeGap(gap)}; its event may have been lost`);
  }
}

/**
 * Every shard a wait is limited to went down on its node (a worker thread exited): the hit can no longer come.
 * Only a faultline server reports this (`event: shard-down`); against a ScyllaDB node such a wait times out.
 */
export class ShardDownError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_SHARD_DOWN' as const;

  constructor(
    readonly injection: string,
    readonly node: string,
    readonly shards: readonly number[],
  ) {
    super(
      `waitForInjection("${injection}"): shard${shards.length > 1 ? 's' : ''} ${shards.join(', ')} of node ${node} ` +
        'went down; the hit cannot come',
    );
  }
}

/** The source completed before the hits an operator (firstHit, allOf, firstHits) was waiting for. */
export class MissingHitError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_MISSING_HIT' as const;

  constructor(readonly missing: string) {
    super(`the injection stream completed before ${missing}`);
  }
}

export interface WaitTimeoutDetails {
  readonly injection: string;
  readonly timeout: number;
  readonly nodes: readonly string[];
  readonly shard?: readonly number[];
  /** The last few events the wait saw (of any name, node or shard), oldest first. */
  readonly lastSeen: readonly ReceivedInjectionEvent[];
  /** How many events the wait saw in all. */
  readonly seenCount: number;
  /** Gaps on the wait's nodes inside its window (before it started or while it ran). */
  readonly gaps: readonly GapNotice[];
  /** Events of the wait's window that the bounded replay buffer had already dropped when it started. */
  readonly dropped: number;
  /** How many matching hits the wait wanted (default 1) and how many of them came. */
  readonly wanted?: number;
  readonly found?: number;
  /** Epoch milliseconds when the wait started. */
  readonly startedAt?: number;
  /** The position(s) the wait counted hits after, when it had one. */
  readonly after?: string | Readonly<Record<string, string | undefined>>;
}

/** A wait that saw no matching event in time; the message says what it did see, so a failing test explains itself. */
export class WaitTimeoutError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_WAIT_TIMEOUT' as const;

  readonly injection: string;
  readonly timeout: number;
  readonly nodes: readonly string[];
  readonly lastSeen: readonly ReceivedInjectionEvent[];
  /** Epoch milliseconds when the wait started (undefined when the details did not say). */
  readonly startedAt: number | undefined;
  constructor(details: WaitTimeoutDetails) {
    super(describeTimeout(details));
    this.injection = details.injection;
    this.timeout = details.timeout;
    this.nodes = details.nodes;
    this.lastSeen = details.lastSeen;
    this.startedAt = details.startedAt;
  }
}

function describeTimeout(d: WaitTimeoutDetails): string {
  const where =
    (d.nodes.length === 1 ? `node ${d.nodes[0]}` : `nodes ${d.nodes.join(', ')}`) +
    (d.shard !== undefined ? ` shard ${d.shard.join('|')}` : '');
  const wanted = d.wanted ?? 1;
  let text =
    wanted === 1
      ? `waitForInjection("${d.injection}") timed out after ${d.timeout} ms on ${where}`
      : `waiting for ${wanted} hits of "${d.injection}" timed out after ${d.timeout} ms on ${where} with ${d.found ?? 0} of them`;
  if (d.startedAt !== undefined) text += ` (started ${new Date(d.startedAt).toISOString()})`;
  if (d.after !== undefined) text += `, counting hits after ${describePositions(d.after)}`;
  text += '; ';
  if (d.seenCount === 0) {
    text += 'it saw no events at all (is the injection enabled, and the code path reached?)';
  } else {
    const shown = d.lastSeen.map(describeEvent).join('; ');
    text += `it saw ${d.seenCount} event(s), the last ${d.lastSeen.length}: ${shown}`;
  }
  if (d.dropped > 0) text += `; ${d.dropped} earlier event(s) had already left the replay buffer`;
  for (const gap of d.gaps) text += `; ${describeGap(gap)}`;
  return text;
}

function describePositions(after: string | Readonly<Record<string, string | undefined>>): string {
  if (typeof after === 'string') return after;
  return Object.entries(after)
    .filter(([, position]) => position !== undefined)
    .map(([node, position]) => `${position as string} on ${node}`)
    .join(', ');
}

export function describeEvent(e: ReceivedInjectionEvent): string {
  return `"${e.injection}" (${e.type}) on ${e.node} shard ${e.shard}`;
}

function describeGap(gap: GapNotice): string {
  const why =
    gap.reason === 'restart'
      ? 'the server restarted'
      : gap.reason === 'history'
        ? "the server's history no longer reached back to the last event received"
        : 'the connection dropped and this server cannot resume a stream';
  const last = gap.lastEventId !== undefined ? `, last event ${gap.lastEventId}` : '';
  return `events were lost on node ${gap.node} (${why}${last})`;
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${cause.message} (${code})` : cause.message;
  }
  return String(cause);
}

function parseErrorBody(body: string): { message?: string; code?: string } {
  if (!body.startsWith('{')) return {};
  try {
    const o = JSON.parse(body) as Record<string, unknown>;
    return {
      message: typeof o.message === 'string' ? o.message : undefined,
      code: typeof o.code === 'string' ? o.code : undefined,
    };
  } catch {
    return {};
  }
}

/**
 * The injection a wait is for was disabled (or its one-shot/count ran out on every shard) after the wait's
 * start, with no matching hit before: the hit cannot come. Only a faultline server says so (`event: control`);
 * against a ScyllaDB node such a wait times out.
 */
export class InjectionEndedError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_INJECTION_ENDED' as const;

  constructor(
    readonly injection: string,
    /** 'disabled' (also by a disable-all) or 'exhausted'. */
    readonly reason: 'disabled' | 'exhausted',
    readonly node: string,
    /** Server epoch milliseconds of the notice. */
    readonly endedAt: number,
    readonly found: number,
    readonly wanted: number,
  ) {
    super(
      `waitForInjection("${injection}"): ${reason === 'exhausted' ? 'exhausted (its one-shot or count ran out on every shard)' : reason} ` +
        `on node ${node} at ${new Date(endedAt).toISOString()} ` +
        `after ${found} of ${wanted} hit${wanted > 1 ? 's' : ''}; the hit cannot come`,
    );
  }
}
