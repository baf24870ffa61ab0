import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for a faultline server's event stream, written from its protocol: `retry:`, ids
// `<epoch>-<seq>`, a bounded history replayed after `Last-Event-ID`, and a named `gap` event when the
// history no longer reaches back or the epoch changed. `cut()` destroys the response sockets mid-stream;
// `restart()` closes the server and listens again on the same port with a new epoch and an empty history.

export interface ResumableStandInOptions {
  /** Events kept for replay (default 1000). */
  history?: number;
  /** The `retry:` sent at connect (default 20). */
  retry?: number;
  /** Send a named `gap` event when it cannot resume (default true; false acts as a server that does not). */
  gapNotices?: boolean;
  /** Answers every request that is not for the event stream (default: 404). */
  otherRoutes?: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface ResumableStandIn {
  readonly url: string;
  readonly epoch: string;
  /** The Last-Event-ID header of each event-stream request, in order (undefined: none sent). */
  readonly lastEventIds: Array<string | undefined>;
  readonly streams: Set<ServerResponse>;
  /**
   * Emits one hit to every open stream and keeps it in history; returns its id. `cutMidway` writes only
   * the first half of it and then destroys the sockets, so the client holds a partial event when cut.
   */
  emit(injection: string, shard?: number, type?: string, cutMidway?: boolean): string;
  /** Writes raw text to every open stream. */
  write(raw: string): void;
  /** Destroys every open event-stream socket, as a crash of the connection would. */
  cut(): void;
  /** Closes the server and listens again on the same port, with a new epoch and no history. */
  restart(): Promise<void>;
  /** Stops listening (connections refused) until `listen()`. */
  stop(): Promise<void>;
  listen(): Promise<void>;
  /** Resolves once `count` event-stream requests have been answered in all (since start). */
  requestsAnswered(count: number): Promise<void>;
  close(): Promise<void>;
}

let epochs = 0;

export async function startResumableStandIn(options: ResumableStandInOptions = {}): Promise<ResumableStandIn> {
  const historyLimit = options.history ?? 1000;
  const retry = options.retry ?? 20;
  const gapNotices = options.gapNotices ?? true;
  const lastEventIds: Array<string | undefined> = [];
  const streams = new Set<ServerResponse>();
  const answered = new EventTarget();
  let history: Array<{ id: string; text: string }> = [];
  let seq = 0;
  let epoch = newEpoch();
  let port = 0;
  let server: Server;

  function newEpoch(): string {
    return `e${process.pid}x${++epochs}`;
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    if (new URL(req.url ?? '/', 'http://x').pathname !== '/v2/error_injection/events') {
      if (options.otherRoutes) options.otherRoutes(req, res);
      else res.writeHead(404).end();
      return;
    }
    const last = req.headers['last-event-id'] as string | undefined;
    lastEventIds.push(last);
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' });
    let out = `: connected\n\nretry: ${retry}\n\n`;
    if (last !== undefined) {
      const at = history.findIndex((h) => h.id === last);
      if (at >= 0) {
        out += history.slice(at + 1).map((h) => h.text).join('');
      } else {
        if (gapNotices) {
          const reason = last.slice(0, last.lastIndexOf('-')) === epoch ? 'history' : 'restart';
          const gap = { reason, lastEventId: last, oldestId: history[0]?.id ?? null };
          out += `event: gap\ndata: ${JSON.stringify(gap)}\n\n`;
        }
        out += history.map((h) => h.text).join('');
      }
    }
    res.write(out);
    streams.add(res);
    res.on('close', () => streams.delete(res));
    answered.dispatchEvent(new Event('answered'));
  }

  async function listen(): Promise<void> {
    server = createServer(onRequest);
    server.listen(port, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  }

  function cut(): void {
    // Written data is flushed first (end of the socket's queue), then the socket is destroyed; the set is
    // cleared now so an emit right after a cut only reaches the history.
    for (const res of streams) {
      const socket = res.socket;
      if (socket !== null) socket.end(() => socket.destroy());
    }
    streams.clear();
  }

  async function stop(): Promise<void> {
    for (const res of streams) res.destroy();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  await listen();

  return {
    url: `http://127.0.0.1:${port}`,
    get epoch() {
      return epoch;
    },
    lastEventIds,
    streams,
    emit(injection, shard = 0, type = 'sleep', cutMidway = false) {
      const id = `${epoch}-${++seq}`;
      const text = `id: ${id}\ndata: ${JSON.stringify({ injection, type, shard, ts: Date.now() })}\n\n`;
      history.push({ id, text });
      if (history.length > historyLimit) history.shift();
      for (const res of streams) res.write(cutMidway ? text.slice(0, text.length >> 1) : text);
      if (cutMidway) cut();
      return id;
    },
    write(raw) {
      for (const res of streams) res.write(raw);
    },
    cut,
    async restart() {
      await stop();
      epoch = newEpoch();
      history = [];
      seq = 0;
      await listen();
    },
    stop,
    listen,
    requestsAnswered(count) {
      return new Promise((resolve) => {
        const check = () => {
          if (lastEventIds.length < count || streams.size === 0) return;
          answered.removeEventListener('answered', check);
          resolve();
        };
        answered.addEventListener('answered', check);
        check();
      });
    },
    close: stop,
  };
}
