import type { IncomingMessage, ServerResponse } from 'node:http';
import { MethodNotAllowedError, NotFoundError } from '../errors';
import type { NextFunction } from '../options';
import { sendError } from '../responses';
import { DASHBOARD_PATH } from '../../wire';
import { DASHBOARD_CSP, DASHBOARD_HTML } from './page';

export { DASHBOARD_CSP, DASHBOARD_HTML } from './page';

/** Where the dashboard lives, beside the API it drives. */
export { DASHBOARD_PATH };

const PAGE = Buffer.from(DASHBOARD_HTML, 'utf8');

const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'content-length': String(PAGE.length),
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
 * e.g. `/v2/error_injection/ui/`. The page itself holds no data and needs no token: it asks for one when the
 * API refuses it, and sends it with every request it makes.
 */
export function handleDashboardRequest(req: IncomingMessage, res: ServerResponse, path: string): boolean {
  const base = DASHBOARD_PATH.slice(0, -1);
  if (path !== base && !path.startsWith(DASHBOARD_PATH)) return false;
  const method = req.method ?? 'GET';
  if (path === base) {
    // Relative links resolve against the directory, so /ui becomes /ui/ (keeping the query, e.g. a token).
    const target = req.url ?? base;
    const q = target.indexOf('?');
    res.writeHead(308, { location: 'ui/' + (q === -1 ? '' : target.slice(q)), 'content-length': '0' });
    res.end();
    return true;
  }
  if (path !== DASHBOARD_PATH && path !== DASHBOARD_PATH + 'index.html') {
    sendError(res, new NotFoundError(path, `no dashboard file ${JSON.stringify(path)}`));
    return true;
  }
  if (method !== 'GET' && method !== 'HEAD') {
    sendError(res, new MethodNotAllowedError(method, ['GET', 'HEAD'], `method ${method} is not allowed here; use GET`));
    return true;
  }
  res.writeHead(200, PAGE_HEADERS);
  res.end(method === 'HEAD' ? undefined : PAGE);
  return true;
}

/**
 * The dashboard as the `ui` option of `createInjectionServer` / `injectionMiddleware`, which runs it for every
 * request that is not an API route (without the token check: the page holds no data) and passes `next`.
 */
export function dashboardHandler(req: IncomingMessage, res: ServerResponse, next: NextFunction): void {
  const path = (req.url ?? '/').split('?')[0];
  if (!handleDashboardRequest(req, res, path)) next();
}
