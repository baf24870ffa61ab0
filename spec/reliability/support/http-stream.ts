import { get, type ClientRequest, type IncomingMessage } from 'node:http';
import { createParser } from 'eventsource-parser';

// An event-stream reader on node:http (one connection of its own) whose reading the test controls: it can
// start paused (the socket stops being read once Node's small buffer is full, so the server's writes back up),
// read one chunk at a time, or read freely. It parses what it reads and tells whether the body ended cleanly
// (the chunked terminator arrived) or was cut.

export interface ReadMessage {
  readonly id: string | undefined;
  readonly event: string | undefined;
  readonly data: string;
}

export class HttpEventStream {
  /** Plain `data:` messages (hits), in arrival order. */
  readonly hits: ReadMessage[] = [];
  /** Named messages (gap, handler, shard-down). */
  readonly named: ReadMessage[] = [];
  /** The id of the last complete hit read. */
  lastId: string | undefined;
  /** The body ended with its terminating chunk: the server ended the stream, it was not cut. */
  clean = false;
  /** Resolves once the connection is closed, however. */
  readonly closed: Promise<void>;
  private readonly decoder = new TextDecoder();

  private constructor(
    private readonly req: ClientRequest,
    private readonly res: IncomingMessage,
    paused: boolean,
  ) {
    const parser = createParser({
      onEvent: (m) => {
        if (m.event === undefined) {
          this.hits.push({ id: m.id, event: undefined, data: m.data });
          if (m.id !== undefined) this.lastId = m.id;
        } else {
          this.named.push({ id: m.id, event: m.event, data: m.data });
        }
      },
    });
    this.closed = new Promise((resolve) => res.once('close', () => resolve()));
    res.on('data', (chunk: Buffer) => parser.feed(this.decoder.decode(chunk, { stream: true })));
    res.on('end', () => (this.clean = true));
    res.on('error', () => undefined);
    if (paused) res.pause();
  }

  /** Opens `url`; resolves once the 200 arrived (rejects on another status). */
  static open(url: string, options: { headers?: Record<string, string>; paused?: boolean } = {}): Promise<HttpEventStream> {
    return new Promise((resolve, reject) => {
      const req = get(url, { agent: false, headers: { accept: 'text/event-stream', ...options.headers } }, (res) => {
        if (res.statusCode !== 200) {
          res.resume();
          reject(new Error(`status ${res.statusCode}`));
          return;
        }
        resolve(new HttpEventStream(req, res, options.paused ?? false));
      });
      req.on('error', reject);
    });
  }

  pause(): void {
    this.res.pause();
  }

  resume(): void {
    this.res.resume();
  }

  /** Reads one chunk (resumes until the next 'data', then pauses again); resolves then, or once closed. */
  step(): Promise<void> {
    if (this.res.destroyed || this.res.readableEnded) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        this.res.off('data', onData);
        this.res.off('close', done);
        resolve();
      };
      const onData = (): void => {
        this.res.pause();
        done();
      };
      this.res.on('data', onData);
      this.res.once('close', done);
      this.res.resume();
    });
  }

  /** Reads everything that is left, to the close of the connection. */
  async readToClose(): Promise<void> {
    this.res.resume();
    await this.closed;
  }

  close(): void {
    this.req.destroy();
  }
}
