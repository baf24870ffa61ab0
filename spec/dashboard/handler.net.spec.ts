import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DASHBOARD_CSP, DASHBOARD_HTML, DASHBOARD_PATH, dashboardHandler, handleDashboardRequest } from '../../lib/server/dashboard';

interface Reply {
  status: number;
  headers: Record<string, unknown>;
  body: string;
}

/**
 * A real HTTP server on loopback in front of `handle` for one describe; `passOn` answers 418, so a test sees that
 * a request was passed on.
 */
function loopback(handle: (req: IncomingMessage, res: ServerResponse, passOn: () => void) => void): {
  send(method: string, path: string): Promise<Reply>;
  readonly port: number;
} {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => handle(req, res, () => res.writeHead(418).end()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())));
  });
  return {
    get port() {
      return port;
    },
    send: (method, path) =>
      new Promise((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port, method, path, agent: false }, (res) => {
          let body = '';
          res.setEncoding('utf8');
          res.on('data', (c: string) => (body += c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      }),
  };
}

describe('handleDashboardRequest', () => {
  const server = loopback((req, res, passOn) => {
    if (!handleDashboardRequest(req, res, (req.url ?? '/').split('?')[0])) passOn();
  });
  const { send } = server;

  it('serves the page with its CSP and no-referrer', async () => {
    const res = await send('GET', DASHBOARD_PATH);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
    expect(res.headers['referrer-policy']).toBe('no-referrer');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toBe(DASHBOARD_HTML);
  });

  it('serves it as index.html too, and answers HEAD without a body', async () => {
    expect((await send('GET', DASHBOARD_PATH + 'index.html')).body).toBe(DASHBOARD_HTML);
    const head = await send('HEAD', DASHBOARD_PATH);
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    expect(Number(head.headers['content-length'])).toBe(Buffer.byteLength(DASHBOARD_HTML));
  });

  it('redirects the path without its slash, keeping the query (a token)', async () => {
    const res = await send('GET', '/v2/error_injection/ui?token=abc');
    expect(res.status).toBe(308);
    expect(new URL(res.headers.location as string, `http://127.0.0.1:${server.port}/v2/error_injection/ui`).href).toBe(
      `http://127.0.0.1:${server.port}/v2/error_injection/ui/?token=abc`,
    );
  });

  it('refuses other methods with 405 and Allow', async () => {
    const res = await send('POST', DASHBOARD_PATH);
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD');
    expect(JSON.parse(res.body).code).toBe('ERR_FAULTLINE_METHOD_NOT_ALLOWED');
  });

  it('serves the page modules as JavaScript with the same headers, byte for byte from lib/server/dashboard/browser', async () => {
    for (const file of ['dashboard.js', 'stream.js', 'timeline.js']) {
      const res = await send('GET', DASHBOARD_PATH + file);
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(DASHBOARD_CSP);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.body).toBe(readFileSync(join(__dirname, '..', '..', 'lib', 'server', 'dashboard', 'browser', file), 'utf8'));
    }
  });

  it('answers 404 for other files under ui/, the browser tsconfig and paths that climb out included', async () => {
    const res = await send('GET', DASHBOARD_PATH + 'app.js');
    expect(res.status).toBe(404);
    expect(JSON.parse(res.body)).toEqual({ message: 'no dashboard file "/v2/error_injection/ui/app.js"', code: 'ERR_FAULTLINE_NOT_FOUND' });
    for (const file of ['tsconfig.json', '../page.js', '..%2Fpage.js', 'browser/dashboard.js', 'dashboard.js/']) {
      expect({ file, status: (await send('GET', DASHBOARD_PATH + file)).status }).toEqual({ file, status: 404 });
    }
  });

  it('passes on every path that is not the dashboard', async () => {
    for (const path of ['/', '/v2/error_injection/injection', '/v2/error_injection/uix', '/v2/error_injection/events']) {
      expect((await send('GET', path)).status).toBe(418);
    }
  });
});

// dashboardHandler, as the `ui` of a server: the root redirects to the page.
describe('dashboardHandler', () => {
  const server = loopback((req, res, passOn) => {
    // An Express-like mount: /faults/... reaches the handler as /..., with originalUrl kept.
    const url = req.url ?? '/';
    if (url.startsWith('/faults')) Object.assign(req, { originalUrl: url, url: url.slice('/faults'.length) || '/' });
    dashboardHandler(req, res, passOn);
  });
  const get = async (method: string, path: string): Promise<{ status: number; location: unknown }> => {
    const reply = await server.send(method, path);
    return { status: reply.status, location: reply.headers.location };
  };
  const resolved = (from: string, location: unknown): string => new URL(location as string, `http://127.0.0.1:${server.port}${from}`).pathname;

  it('redirects / to the dashboard with a 302 (not cached: the root may be something else tomorrow), keeping the query', async () => {
    const res = await get('GET', '/?token=abc');
    expect(res.status).toBe(302);
    expect(new URL(res.location as string, `http://127.0.0.1:${server.port}/`).href).toBe(`http://127.0.0.1:${server.port}${DASHBOARD_PATH}?token=abc`);
    expect((await get('HEAD', '/')).status).toBe(302);
  });

  it('lands below a mount prefix, asked with or without its slash', async () => {
    for (const from of ['/faults/', '/faults']) {
      const res = await get('GET', from);
      expect(res.status).toBe(302);
      expect(resolved(from, res.location)).toBe('/faults' + DASHBOARD_PATH);
    }
  });

  it('passes on other methods at / and every other path', async () => {
    expect((await get('POST', '/')).status).toBe(418);
    expect((await get('GET', '/index.html')).status).toBe(418);
  });
});
