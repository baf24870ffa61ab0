import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A stand-in for a ScyllaDB node, written from its protocol (api/error_injection.cc and the events branch):
// `GET /v2/error_injection/events` sends `: connected` and then plain `data: {"injection","type","shard"}`
// events, with no id, no retry, no heartbeat; the REST routes answer as ScyllaDB does. Every request is
// recorded so a test can assert exactly what a client sent.

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, as received (still percent-encoded). */
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

export interface ScyllaStandIn {
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** The open event-stream responses. */
  readonly streams: Set<ServerResponse>;
  /** Writes one event to every open stream, exactly as ScyllaDB formats it. */
  emit(injection: string, type?: string, shard?: number): void;
  /** Writes raw text to every open stream. */
  write(raw: string): void;
  /** Resolves once `count` event streams are open. */
  streamsOpen(count: number): Promise<void>;
  /** Replaces the next answer to `GET /events` (for error cases). */
  answerNextEventsWith(handler: (req: IncomingMessage, res: ServerResponse) => void): void;
  /** Answers the REST routes with this status and body from now on (for error cases); undefined restores. */
  failRestWith(status: number | undefined, body?: string): void;
  close(): Promise<void>;
}

const SHARDS = 2;

export async function startScyllaStandIn(): Promise<ScyllaStandIn> {
  const requests: RecordedRequest[] = [];
  const streams = new Set<ServerResponse>();
  const enabled = new Map<string, { oneShot: boolean; parameters: Record<string, string> }>();
  const enters = new Map<string, number>();
  let nextEvents: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  let restFailure: { status: number; body: string } | undefined;
  const opened = new EventTarget();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      route(req, res, body);
    });
  });

  function route(req: IncomingMessage, res: ServerResponse, body: string): void {
    const url = new URL(req.url ?? '/', 'http://stand-in');
    const path = url.pathname;
    if (req.method === 'GET' && path === '/v2/error_injection/events') {
      const handler = nextEvents;
      nextEvents = undefined;
      if (handler !== undefined) return handler(req, res);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(': connected\n\n');
      streams.add(res);
      res.on('close', () => streams.delete(res));
      opened.dispatchEvent(new Event('open'));
      return;
    }
    if (restFailure !== undefined) {
      res.writeHead(restFailure.status, { 'content-type': 'application/json' }).end(restFailure.body);
      return;
    }
    const json = (value: unknown): void => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    const empty = (): void => void res.writeHead(200, { 'content-type': 'application/json' }).end();
    const match = /^\/v2\/error_injection\/injection(?:\/([^/]+))?(\/message|\/enters)?$/.exec(path);
    if (match === null) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"message":"Not found","code":404}');
      return;
    }
    const name = match[1] === undefined ? undefined : decodeURIComponent(match[1]);
    const sub = match[2];
    if (name === undefined) {
      if (req.method === 'GET') return json([...enabled.keys()]);
      if (req.method === 'DELETE') {
        enabled.clear();
        return empty();
      }
    } else if (sub === '/message' && req.method === 'POST') {
      return empty();
    } else if (sub === '/enters' && req.method === 'GET') {
      return json(enters.get(name) ?? 0);
    } else if (sub === undefined) {
      if (req.method === 'POST') {
        let parameters: Record<string, string> = {};
        if (body !== '') {
          try {
            parameters = JSON.parse(body) as Record<string, string>;
          } catch (err) {
            res.writeHead(400, { 'content-type': 'application/json' });
            return void res.end(JSON.stringify({ message: `Failed to parse injections parameters: ${(err as Error).message}`, code: 400 }));
          }
        }
        enabled.set(name, { oneShot: url.searchParams.get('one_shot')?.toLowerCase() === 'true', parameters });
        return empty();
      }
      if (req.method === 'DELETE') {
        enabled.delete(name);
        return empty();
      }
      if (req.method === 'GET') {
        const state = enabled.get(name);
        const shard = state
          ? { enabled: true, parameters: Object.entries(state.parameters).map(([key, value]) => ({ key, value })) }
          : { enabled: false };
        return json(Array.from({ length: SHARDS }, () => shard));
      }
    }
    res.writeHead(405, { 'content-type': 'application/json' }).end('{"message":"Method not allowed","code":405}');
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    streams,
    emit(injection, type = 'handler', shard = 0) {
      enters.set(injection, (enters.get(injection) ?? 0) + 1);
      // Built as ScyllaDB builds it: a format string, no escaping.
      const data = `{"injection":"${injection}","type":"${type}","shard":${shard}}`;
      for (const res of streams) res.write(`data: ${data}\n\n`);
    },
    write(raw) {
      for (const res of streams) res.write(raw);
    },
    streamsOpen(count) {
      return new Promise((resolve) => {
        const check = () => {
          if (streams.size < count) return;
          opened.removeEventListener('open', check);
          resolve();
        };
        opened.addEventListener('open', check);
        check();
      });
    },
    answerNextEventsWith(handler) {
      nextEvents = handler;
    },
    failRestWith(status, body = '') {
      restFailure = status === undefined ? undefined : { status, body };
    },
    async close() {
      for (const res of streams) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
