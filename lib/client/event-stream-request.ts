import type { Dispatcher } from 'undici';
import { boundedText } from './bounded-body';
import { ContentTypeError, HttpError, NetworkError } from './errors';

// One GET of an event stream: resolves with the body once the server answered 200 with text/event-stream,
// or rejects with the typed error for what went wrong. The body of a refusal is read (bounded) into the
// error, and the connection released: read to its end, or closed once the bound is reached.
//
// It dispatches with undici's handler API rather than `request()`: each chunk goes from undici's HTTP parser
// straight to the stream's listener, where `request()` would push it through a Readable body first, one more
// layer (and its buffering state, kept per open stream) on the path of every event.

export interface EventStreamRequest {
  readonly url: URL;
  readonly node: string;
  readonly headers: Record<string, string>;
  readonly dispatcher: Dispatcher;
  readonly signal: AbortSignal;
  /** Milliseconds to wait for the response headers. */
  readonly openTimeout: number;
  /** false accepts any content type (a server that mislabels its stream). */
  readonly strictContentType: boolean;
}

/** Where an open stream's bytes go: each chunk as it is parsed, then one end (with the error if it failed). */
export interface EventStreamListener {
  data(chunk: Buffer): void;
  end(error?: Error): void;
}

const ERROR_BODY_LIMIT = 64 * 1024;

/** Why a stream's body was let go: `destroy()`, or a refusal's body read up to its bound. */
class BodyReleasedError extends Error {}

/**
 * The body of an open event stream. What arrives before the listener takes over (the first chunk often comes
 * with the headers) is held, and handed over on the `process.nextTick` after `listen()`: as a Readable body's
 * first 'data' came, once the code that awaited the opening has run and subscribed to what the chunks cause.
 */
export class EventStreamBody {
  private listener: EventStreamListener | undefined;
  /** Chunks held until the listener takes over; undefined once it has. */
  private held: Buffer[] | undefined = [];
  private ended: { readonly error?: Error } | undefined;
  private released = false;

  constructor(private readonly controller: Dispatcher.DispatchController) {}

  listen(listener: EventStreamListener): void {
    if (this.released || this.listener !== undefined) return;
    this.listener = listener;
    process.nextTick(this.takeOver);
  }

  /** Lets the stream go: no more calls to the listener, and the request is aborted (its socket closed). */
  destroy(): void {
    if (this.released) return;
    this.released = true;
    this.listener = undefined;
    this.held = undefined;
    if (this.ended === undefined) this.controller.abort(new BodyReleasedError('the event stream was closed'));
  }

  /** @internal From the dispatch handler. */
  push(chunk: Buffer): void {
    if (this.held !== undefined) this.held.push(chunk);
    else this.listener?.data(chunk);
  }

  /** @internal From the dispatch handler. */
  finish(error?: Error): void {
    if (this.ended !== undefined) return;
    this.ended = error === undefined ? {} : { error };
    if (this.held === undefined) this.end();
  }

  private readonly takeOver = (): void => {
    const held = this.held;
    if (held === undefined) return;
    this.held = undefined;
    for (let i = 0; i < held.length && this.listener !== undefined; i++) this.listener.data(held[i]);
    if (this.ended !== undefined) this.end();
  };

  private end(): void {
    const listener = this.listener;
    this.listener = undefined;
    listener?.end(this.ended?.error);
  }
}

export function requestEventStream(r: EventStreamRequest): Promise<EventStreamBody> {
  return new Promise<EventStreamBody>((resolve, reject) => {
    let settled = false;
    let controller: Dispatcher.DispatchController | undefined;
    let body: EventStreamBody | undefined;
    /** A refusal's status and the part of its body read so far. */
    let refusal: { readonly status: number; readonly chunks: Buffer[]; size: number } | undefined;
    /** How long a refusal's body may take to end (openTimeout); past it the error carries what came. */
    let refusalTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => controller?.abort(r.signal.reason as Error);
    const settle = (outcome: EventStreamBody | Error): void => {
      if (settled) return;
      settled = true;
      if (refusalTimer !== undefined) clearTimeout(refusalTimer);
      r.signal.removeEventListener('abort', onAbort);
      if (outcome instanceof EventStreamBody) resolve(outcome);
      else reject(outcome);
    };
    const refuse = (): void => {
      if (refusal === undefined) return;
      const text = boundedText(refusal.chunks, ERROR_BODY_LIMIT);
      settle(new HttpError('GET', r.url.href, refusal.status, text, r.node));
    };
    const handler: Dispatcher.DispatchHandler = {
      onRequestStart(c) {
        controller = c;
        if (r.signal.aborted) onAbort();
      },
      onResponseStart(c, status, headers) {
        if (status !== 200) {
          refusal = { status, chunks: [], size: 0 };
          // bodyTimeout is 0 (an event stream may idle for ever), so a refusal whose body never ends would keep
          // the opening (or a reconnect) waiting for ever: it gets openTimeout, as the head did.
          refusalTimer = setTimeout(() => {
            refuse();
            c.abort(new BodyReleasedError('the error body did not end within openTimeout'));
          }, r.openTimeout);
          return;
        }
        const contentType = headerValue(headers['content-type']);
        if (r.strictContentType && !isEventStream(contentType)) {
          settle(new ContentTypeError(r.url.href, contentType, r.node));
          c.abort(new BodyReleasedError('not an event stream'));
          return;
        }
        // undici's controller would keep the head's raw buffers for as long as the stream is open (~2 KiB).
        c.rawHeaders = null;
        body = new EventStreamBody(c);
        settle(body);
      },
      onResponseData(c, chunk) {
        if (body !== undefined) {
          body.push(chunk);
        } else if (refusal !== undefined && !settled) {
          refusal.chunks.push(chunk);
          refusal.size += chunk.length;
          if (refusal.size >= ERROR_BODY_LIMIT) {
            refuse();
            c.abort(new BodyReleasedError('the error body was read up to its bound'));
          }
        }
      },
      onResponseEnd() {
        if (body !== undefined) body.finish();
        else refuse();
      },
      onResponseError(_c, error) {
        if (body !== undefined) body.finish(error);
        // A body cut short still says something: keep what arrived.
        else if (refusal !== undefined) refuse();
        else settle(new NetworkError(r.url.href, r.node, error));
      },
    };
    if (r.signal.aborted) {
      settle(new NetworkError(r.url.href, r.node, r.signal.reason));
      return;
    }
    r.signal.addEventListener('abort', onAbort, { once: true });
    try {
      r.dispatcher.dispatch(
        {
          origin: r.url.origin,
          path: r.url.pathname + r.url.search,
          method: 'GET',
          headers: { accept: 'text/event-stream', 'cache-control': 'no-cache', ...r.headers },
          // An event stream is idle between hits for as long as a test likes: the heartbeat watchdog, not
          // undici's 300 s bodyTimeout, decides when a quiet connection is dead.
          bodyTimeout: 0,
          headersTimeout: r.openTimeout,
        },
        handler,
      );
    } catch (err) {
      settle(new NetworkError(r.url.href, r.node, err));
    }
  });
}

/** The MIME essence, ignoring parameters and case, as WHATWG's EventSource checks it. */
export function isEventStream(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return contentType.split(';', 1)[0].trim().toLowerCase() === 'text/event-stream';
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
