import { request, type Dispatcher } from 'undici';
import { ContentTypeError, HttpError, NetworkError } from './errors';

// One GET of an event stream: resolves with the body once the server answered 200 with text/event-stream,
// or rejects with the typed error for what went wrong. The body of a refusal is read (bounded) into the
// error and the connection released, as undici asks: an unread body holds its socket.

export type ResponseBody = Dispatcher.ResponseData['body'];

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

const ERROR_BODY_LIMIT = 64 * 1024;

export async function requestEventStream(r: EventStreamRequest): Promise<ResponseBody> {
  let res: Dispatcher.ResponseData;
  try {
    res = await request(r.url, {
      method: 'GET',
      headers: { accept: 'text/event-stream', 'cache-control': 'no-cache', ...r.headers },
      dispatcher: r.dispatcher,
      signal: r.signal,
      // An event stream is idle between hits for as long as a test likes: the heartbeat watchdog, not
      // undici's 300 s bodyTimeout, decides when a quiet connection is dead.
      bodyTimeout: 0,
      headersTimeout: r.openTimeout,
    });
  } catch (err) {
    throw new NetworkError(r.url.href, r.node, err);
  }
  if (res.statusCode !== 200) {
    const body = await readBounded(res.body, ERROR_BODY_LIMIT);
    throw new HttpError('GET', r.url.href, res.statusCode, body, r.node);
  }
  const contentType = headerValue(res.headers['content-type']);
  if (r.strictContentType && !isEventStream(contentType)) {
    res.body.destroy();
    throw new ContentTypeError(r.url.href, contentType, r.node);
  }
  return res.body;
}

/** The MIME essence, ignoring parameters and case, as WHATWG's EventSource checks it. */
export function isEventStream(contentType: string | undefined): boolean {
  if (contentType === undefined) return false;
  return contentType.split(';', 1)[0].trim().toLowerCase() === 'text/event-stream';
}

export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Reads at most `limit` bytes of a body as text, then releases it. */
export async function readBounded(body: ResponseBody, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= limit) break;
    }
  } catch {
    // A body cut short still says something: keep what arrived.
  } finally {
    body.destroy();
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
