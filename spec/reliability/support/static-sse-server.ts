import { once } from 'node:events';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

// A loopback HTTP server that answers GET /v2/error_injection/events with a body the test registered: a 200
// `text/event-stream`, the exact bytes, and then nothing (the connection stays open, as a live stream's
// would, until the client goes). The request header `x-body` names which registered body to send; each is sent
// once, then forgotten.

export interface StaticSseServer {
  readonly url: string;
  /** Registers `body`; returns the value of the `x-body` header that selects it (for one request). */
  register(body: Buffer): string;
  close(): Promise<void>;
}

export async function startStaticSseServer(): Promise<StaticSseServer> {
  const bodies = new Map<string, Buffer>();
  const open = new Set<ServerResponse>();
  let next = 0;
  const server = createServer((req, res) => {
    const key = String(req.headers['x-body']);
    const body = bodies.get(key);
    bodies.delete(key);
    if (req.url?.split('?')[0] !== '/v2/error_injection/events' || body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(body);
    open.add(res);
    res.once('close', () => open.delete(res));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    register(body) {
      const key = String(++next);
      bodies.set(key, body);
      return key;
    },
    async close() {
      for (const res of open) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
