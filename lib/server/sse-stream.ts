import { OutgoingMessage, type IncomingMessage, type ServerResponse } from 'node:http';
import { Socket } from 'node:net';

export interface SseStreamOptions {
  /** Milliseconds between heartbeat comments (0: none). */
  readonly heartbeatMs: number;
  /** The `retry:` the stream opens with, in milliseconds. */
  readonly retryMs: number;
  /** Most bytes held for this client (ours not yet written plus Node's unsent); past it the client is cut off. */
  readonly maxBufferBytes: number;
}

/** Why a stream ended: the client went, it fell too far behind, or the server ended it. */
export type SseEndReason = 'client' | 'overflow' | 'server';

/** Frames of one tick are joined into one write of at most about this many bytes; more waits for 'drain'. */
const FLUSH_BYTES = 64 * 1024;
/** How long an ending stream waits for a client that is behind to read what is queued before cutting it. */
const END_TIMEOUT_MS = 30_000;

/**
 * One client's `text/event-stream` response: writes frames (already-serialised SSE text, shared by every
 * client), at most two writes per callback however many hits it made, with a heartbeat comment so idle
 * proxies keep it open.
 *
 * Latency: the first frame of a callback is written at once; what follows it in the same callback is written on
 * `process.nextTick`, at the end of that callback, in one write (past FLUSH_BYTES, chunks handed to the socket
 * corked until then, as node:http's cork did). So a hit after a quiet moment costs the app its write inside
 * `enter()`, and a burst two writes, not one per hit. On HTTP/1.1 frames go straight to the socket, with the
 * chunked framing done here: node:http's `res.write` corks the socket until its own `process.nextTick`, so
 * through it the bytes reached the kernel only at the end of the callback. node:http's own writes (the headers,
 * `: connected`, `res.end()`'s last chunk) keep their order with ours: a chunk goes straight to the socket only
 * when node:http holds none of its own bytes (`res.writableLength` is all the socket's), and otherwise through
 * `res.write`, after them. HTTP/2, HTTP/1.0 (no chunked encoding), a socket that is not a `net.Socket`, and a
 * `res.write` replaced by middleware always go through `res.write`.
 *
 * Backpressure: once a write returns false the socket is not keeping up, so frames wait here until
 * 'drain', and are then written a chunk at a time. What waits is bounded by `maxBufferBytes`; past it the client
 * is cut off, since it can resume from the history with Last-Event-ID, whereas waiting for it would grow memory
 * without bound and blocking on it would slow the shard that produced the event. Sending never blocks and
 * never awaits. Waiting frames are the shared strings themselves (no copy per client); Node holds at most one
 * chunk of about FLUSH_BYTES beyond them.
 *
 * The history replayed when a client resumes is exempt from the bound (see `replay`): it is already in memory
 * (the group's history), and counting it would cut a resuming laggard again at once, for ever.
 */
export class SseStream {
  private pending: string[] = [];
  private head = 0;
  private pendingBytes = 0;
  /** Bytes of replayed history still waiting; they do not count against maxBufferBytes. */
  private allowance = 0;
  private scheduled = false;
  private blocked = false;
  /** What onDrain waits on while blocked: the socket (a direct write) or the response. */
  private drainSource: NodeJS.EventEmitter | undefined;
  /** The socket, while this stream holds it corked for the rest of a burst (until the end of the callback). */
  private corked: Socket | undefined;
  /** The socket chunks may go straight to: HTTP/1.1 chunked over a net.Socket, with node:http's own `write`. */
  private readonly directSocket: Socket | undefined;
  /** Set while end() waits for a client that is behind to read the queued tail. */
  private ending: NodeJS.Timeout | undefined;
  private closed = false;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private readonly endListeners: ((reason: SseEndReason) => void)[] = [];

  constructor(
    req: IncomingMessage,
    private readonly res: ServerResponse,
    private readonly options: SseStreamOptions,
  ) {
    const headers: Record<string, string> = {
      'content-type': 'text/event-stream; charset=utf-8',
      // no-transform: compression middleware and proxies must not buffer or re-encode the stream.
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    };
    // Connection-specific headers and socket manipulation are forbidden in HTTP/2.
    const http1 = req.httpVersionMajor < 2;
    if (http1) headers.connection = 'keep-alive';
    res.writeHead(200, headers);
    if (http1) req.socket.setNoDelay(true);
    const onGone = (): void => this.close('client');
    res.on('close', onGone);
    res.on('error', onGone);
    req.on('close', onGone);
    this.endListeners.push(() => {
      res.off('close', onGone);
      res.off('error', onGone);
      req.off('close', onGone);
    });
    // The first bytes tell the client the stream is open; retry is spread over [retryMs, 1.5 retryMs) so that
    // clients of a restarted server do not all come back at the same moment.
    const retry = options.retryMs + Math.floor(Math.random() * (options.retryMs / 2));
    res.write(`: connected\nretry: ${retry}\n\n`);
    const direct = http1 && res.chunkedEncoding && res.write === OutgoingMessage.prototype.write;
    this.directSocket = direct && res.socket instanceof Socket ? res.socket : undefined;
    if (options.heartbeatMs > 0) {
      this.heartbeat = setInterval(() => this.send(': heartbeat\n\n'), options.heartbeatMs);
      this.heartbeat.unref();
    }
  }

  /** Bytes held for this client: frames not yet handed to Node plus what Node has not sent yet. */
  get bufferedBytes(): number {
    return this.closed ? 0 : this.pendingBytes + this.res.writableLength;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Runs once when the stream ends, whatever ends it. */
  onEnd(listener: (reason: SseEndReason) => void): void {
    if (this.closed) listener('server');
    else this.endListeners.push(listener);
  }

  /**
   * Runs `subscribe` (which replays the history synchronously, then returns) and exempts what it queued from
   * the bound: those frames are written out as the client reads, and only frames that come after count.
   */
  replay<T>(subscribe: () => T): T {
    this.allowance = Infinity;
    try {
      return subscribe();
    } finally {
      this.allowance = this.pendingBytes;
    }
  }

  /** Queues one frame. Never blocks: a client that is too far behind is cut off instead. */
  send(frame: string): void {
    if (this.closed || this.ending !== undefined) return;
    this.pending.push(frame);
    this.pendingBytes += frame.length;
    if (this.blocked) {
      if (this.pendingBytes > this.options.maxBufferBytes + this.allowance) this.cut();
    } else if (!this.scheduled) {
      this.scheduled = true;
      process.nextTick(this.flushCallback);
      this.flush();
    } else if (this.pendingBytes >= FLUSH_BYTES) {
      // The rest of a burst goes out in one writev at the end of the callback, as node:http's cork did: writing
      // each chunk at once would put the socket's work inside the app's `enter()` calls.
      this.cork();
      this.flush();
    }
  }

  /**
   * Ends the stream cleanly: what is queued is written out first, as the client reads it, then the response
   * ends. A client that is merely behind (normal after a burst) still gets the tail and the closing frames;
   * one that does not read it all within END_TIMEOUT_MS is cut. Nothing more is queued once ending, so what
   * it holds stays within the bound it already had.
   */
  end(): void {
    if (this.closed || this.ending !== undefined) return;
    this.flush();
    if (!this.blocked) {
      this.finish();
      return;
    }
    this.ending = setTimeout(() => this.cut('server'), END_TIMEOUT_MS);
    this.ending.unref();
  }

  private finish(): void {
    this.close('server');
    this.res.end();
  }

  /** At the end of the callback whose first frame went at once: what followed it, in one write. */
  private readonly flushCallback = (): void => {
    this.scheduled = false;
    // Flushed before the uncork, so the tail joins what the burst already handed the corked socket: one writev.
    this.flush();
    this.uncork();
  };

  private cork(): void {
    const socket = this.directSocket;
    if (this.corked !== undefined || socket === undefined) return;
    socket.cork();
    this.corked = socket;
  }

  private uncork(): void {
    const socket = this.corked;
    this.corked = undefined;
    socket?.uncork();
  }

  /** Writes waiting frames, a chunk of about FLUSH_BYTES per write, until they are all out or Node says stop. */
  private readonly flush = (): void => {
    while (!this.blocked && !this.closed && this.head < this.pending.length) {
      // join, not `+=`: one flat string rather than a tree of every frame that Node would flatten again.
      const start = this.head;
      let size = this.pending[this.head++].length;
      while (size < FLUSH_BYTES && this.head < this.pending.length) size += this.pending[this.head++].length;
      const chunk =
        this.head - start === 1
          ? this.pending[start]
          : start === 0 && this.head === this.pending.length
            ? this.pending.join('')
            : this.pending.slice(start, this.head).join('');
      this.pendingBytes -= chunk.length;
      this.allowance = Math.max(0, this.allowance - chunk.length);
      if (!this.write(chunk)) this.blocked = true;
    }
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
  };

  /** Writes one chunk; false when the socket is not keeping up, and then onDrain runs on its 'drain'. */
  private write(chunk: string): boolean {
    // An empty chunk framed by hand would be `0\r\n\r\n`, the end of the body (node:http skips them too).
    if (chunk.length === 0) return true;
    const socket = this.directSocket;
    if (socket !== undefined && this.res.writableLength === socket.writableLength) {
      if (socket.write(Buffer.byteLength(chunk).toString(16) + '\r\n' + chunk + '\r\n')) return true;
      this.drainSource = socket;
    } else {
      if (this.res.write(chunk)) return true;
      this.drainSource = this.res;
    }
    this.drainSource.once('drain', this.onDrain);
    return false;
  }

  private readonly onDrain = (): void => {
    this.blocked = false;
    this.drainSource = undefined;
    this.flush();
    if (this.ending !== undefined && !this.blocked && this.head === 0 && this.pending.length === 0) this.finish();
  };

  private cut(reason: SseEndReason = 'overflow'): void {
    this.close(reason);
    this.res.destroy();
  }

  private close(reason: SseEndReason): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduled = false;
    this.uncork();
    if (this.heartbeat !== undefined) clearInterval(this.heartbeat);
    if (this.ending !== undefined) clearTimeout(this.ending);
    this.ending = undefined;
    this.drainSource?.off('drain', this.onDrain);
    this.drainSource = undefined;
    this.pending = [];
    this.head = 0;
    this.pendingBytes = 0;
    this.allowance = 0;
    for (const listener of this.endListeners.splice(0)) listener(reason);
  }
}
