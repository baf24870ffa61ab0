import { request, type IncomingHttpHeaders } from 'node:http';
import { createParser } from 'eventsource-parser';
import { until } from './until';

export interface SseMessage {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

/**
 * A minimal SSE reader for tests (node:http + eventsource-parser, one socket per stream): keeps every message,
 * comment and retry it saw, so tests assert on what actually went over the wire.
 */
export class SseClient {
  readonly messages: SseMessage[] = [];
  readonly comments: string[] = [];
  retry: number | undefined;
  raw = '';
  ended = false;
  /** The body ended with its terminating chunk (not a cut connection). */
  endedCleanly = false;
  private cursor = 0;
  private readonly closers: (() => void)[] = [];

  private constructor(
    readonly status: number,
    readonly headers: IncomingHttpHeaders,
  ) {}

  /** Opens `url`; resolves once the 200 arrived and the first comment was read, rejects with the error body otherwise. */
  static open(url: string, headers: Record<string, string> = {}): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = request(url, { agent: false, headers: { accept: 'text/event-stream', ...headers } }, (res) => {
        if (res.statusCode !== 200) {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => reject(Object.assign(new Error(`status ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
          return;
        }
        const client = new SseClient(res.statusCode, res.headers);
        const parser = createParser({
          onEvent: (m) => client.messages.push({ id: m.id, event: m.event, data: m.data }),
          onComment: (c) => client.comments.push(c),
          onRetry: (r) => (client.retry = r),
        });
        res.setEncoding('utf8');
        let opened = false;
        res.on('data', (chunk: string) => {
          client.raw += chunk;
          parser.feed(chunk);
          if (!opened && client.comments.length > 0) {
            opened = true;
            resolve(client);
          }
        });
        const onEnd = (): void => {
          client.ended = true;
          if (!opened) reject(new Error('stream ended before it opened'));
        };
        res.on('end', () => {
          client.endedCleanly = true;
          onEnd();
        });
        res.on('close', onEnd);
        res.on('error', onEnd);
        client.closers.push(() => req.destroy());
      });
      req.on('error', reject);
      req.end();
    });
  }

  /** Hits only (plain `data:` messages), in arrival order. */
  get hits(): SseMessage[] {
    return this.messages.filter((m) => m.event === undefined);
  }

  /** The next message (after the ones already taken) that matches; waits for it. */
  async next(match: (m: SseMessage) => boolean = () => true, what = 'an SSE message'): Promise<SseMessage> {
    let found: SseMessage | undefined;
    await until(() => {
      while (this.cursor < this.messages.length) {
        const m = this.messages[this.cursor++];
        if (match(m)) {
          found = m;
          return true;
        }
      }
      return false;
    }, what);
    return found as SseMessage;
  }

  /** Waits for `count` hits; fails at once if the stream ends first. */
  async waitForHits(count: number): Promise<SseMessage[]> {
    await until(() => {
      if (this.hits.length >= count) return true;
      if (this.ended) throw new Error(`the stream ended after ${this.hits.length} of ${count} hits`);
      return false;
    }, `${count} hits`);
    return this.hits;
  }

  async waitForEnd(): Promise<void> {
    await until(() => this.ended, 'the stream to end');
  }

  close(): void {
    for (const c of this.closers) c();
  }
}
