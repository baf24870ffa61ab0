import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from '../errors';
import type { NextFunction } from '../options';
import { sendError } from '../responses';
import { DASHBOARD_PATH } from '../../wire';
import { dashboardModule } from './modules';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './page';

export { DASHBOARD_CSP, DASHBOARD_HTML, DASHBOARD_WIRE } from './page';

/** Where the dashboard lives, beside the API it drives. */
export { DASHBOARD_PATH };

const PAGE = Buffer.from(DASHBOARD_HTML, 'utf8');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': DASHBOARD_CSP,
  'cache-control': 'no-cache',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  // The page URL may carry ?token=; it must not leak to other sites in a Referer.
  'referrer-policy': 'no-referrer',
};

/**
 * Answers a request for the dashboard and returns true, or returns false when `path` is not the dashboard's
 * (so the caller goes on routing). `path` is the request path without the query, below any mount prefix,
 * e.g. `/v2/error_injection/ui/`. The page and its modules hold no data and need no token: the page asks for
 * one when the API refuses it, and sends it with every request it makes.
 */
export function handleDashboardRequest(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  const base = DASHBOARD_PATH.slice(0, -1);
  if (path !== base && !path.startsWith(DASHBOARD_PATH)) return false;
  const method = req.method ?? 'GET';
  if (path === base) {
    // Relative links resolve against the directory, so /ui becomes /ui/ (keeping the query, e.g. a token).
    redirect(res, 308, 'ui/' + queryOf(req));
    return true;
  }
  const file = path.slice(DASHBOARD_PATH.length);
  const body = file === '' || file === 'index.html' ? PAGE : dashboardModule(file);
  if (body === undefined) {
    sendError(res, new NotFoundError(path, `no dashboard file ${JSON.stringify(path)}`));
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(res, new MethodNotAllowedError(method, ['GET', 'HEAD'], `method ${method} is not allowed here; use GET`));
    return true;
  }
  res.writeHead(200, {
    'content-type': body === PAGE ? 'text/html; charset=utf-8' : 'text/javascript; charset=utf-8',
    'content-length': String(body.length),
    ...SECURITY_HEADERS,
  });
  res.end(method === 'HEAD' ? undefined : body);
  return true;
}

/**
 * The dashboard as the `ui` option of `createInjectionServer` / `injectionMiddleware`, which runs it for every
 * request that is not an API route (after the host check, without the token check: the page holds no data) and
 * passes `next`. It also sends the server's root, `/`, to the dashboard (302: a redirect that is not cached, so
 * a server started later without the dashboard answers `/` itself).
 */
export function dashboardHandler(req: IncomingMessage, res: ServerResponse, next: NextFunction): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    // Relative, so it also lands right below a mount prefix (Express's `app.use('/faults', handler)` sees `/`).
    redirect(res, 302, rootPrefix(req) + DASHBOARD_PATH.slice(1) + queryOf(req));
    return;
  }
  if (!handleDashboardRequest(req, res, path)) next();
}

function redirect(res: ServerResponse, status: 302 | 308, location: string): void {
  res.writeHead(status, { location, 'content-length': '0' });
  res.end();
}

function queryOf(req: IncomingMessage): string {
  const target = req.url ?? '';
  const q = target.indexOf('?');
  return q === -1 ? '' : target.slice(q);
}

/**
 * What makes the relative Location of `/` resolve below the root it was asked for: nothing for `/` or a mount
 * asked with its slash (`/faults/`), the mount's last segment for one asked without it (Express passes `/faults`
 * on as `/`, and `v2/...` would resolve against the parent).
 */
function rootPrefix(req: IncomingMessage): string {
  const original = ((req as IncomingMessage & { originalUrl?: string }).originalUrl ?? req.url ?? '/').split('?')[0];
  if (original.endsWith('/')) return '';
  return original.slice(original.lastIndexOf('/') + 1) + '/';
}
