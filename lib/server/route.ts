import { validateName } from '../injector/validate';
import { API_BASE_PATH as BASE_PATH, EVENTS_PATH } from '../wire';
import { BadNameError } from './errors';

export type RouteKind =
  | 'injections'
  | 'injection'
  | 'message'
  | 'enters'
  | 'events'
  | 'lifetime-enters'
  | 'lifetime-enters-all'
  | 'parked'
  | 'disconnect';

export interface Route {
  readonly kind: RouteKind;
  /**
   * The injection name as sent, still percent-encoded (routes `injection`, `message`, `enters`,
   * `lifetime-enters`; for `disconnect`, the address), see decodeName.
   */
  readonly rawName?: string;
  /** The raw query string, without `?` ('' when there is none). */
  readonly query: string;
}

/** The methods each route answers; anything else is a 405 that lists them in `Allow`. */
export const ROUTE_METHODS: Readonly<Record<RouteKind, readonly string[]>> = {
  injections: ['GET', 'DELETE'],
  injection: ['GET', 'POST', 'DELETE'],
  message: ['POST'],
  enters: ['GET'],
  events: ['GET'],
  'lifetime-enters': ['GET'],
  'lifetime-enters-all': ['GET'],
  parked: ['GET'],
  disconnect: ['POST'],
};

const INJECTION_PREFIX = BASE_PATH + '/injection/';
/** faultline's own: hits of a name over the server's life (see docs/protocol.md); a prefix, so no name is taken. */
const LIFETIME_ENTERS_PREFIX = BASE_PATH + '/lifetime_enters/';
/** faultline's own: handlers parked now, on every shard. */
const PARKED_PATH = BASE_PATH + '/parked';
const DISCONNECT_PREFIX = BASE_PATH + '/disconnect/';

/**
 * Matches a request target against the routes; null when it is not one of ours. The name is only cut out
 * here; it is decoded (and refused with a 400) after the request passed the token and method checks.
 *
 * The name is taken from the raw (still encoded) path and decoded exactly once, so `%2F` is a slash inside the
 * name and `%25` a percent sign (ScyllaDB's Python client quotes names with `safe=''`). A literal `/` also
 * stays in the name; only a trailing `/message` or `/enters` selects those routes, so a name that itself ends
 * in one of those must be sent encoded.
 */
export function matchRoute(target: string): Route | null {
  const path = stripOrigin(target);
  if (path === null) return null;
  const q = path.indexOf('?');
  const rawPath = q === -1 ? path : path.slice(0, q);
  const query = q === -1 ? '' : path.slice(q + 1);
  if (rawPath === BASE_PATH + '/injection') return { kind: 'injections', query };
  if (rawPath === EVENTS_PATH) return { kind: 'events', query };
  if (rawPath === LIFETIME_ENTERS_PREFIX.slice(0, -1)) return { kind: 'lifetime-enters-all', query };
  if (rawPath.startsWith(LIFETIME_ENTERS_PREFIX)) {
    return { kind: 'lifetime-enters', rawName: rawPath.slice(LIFETIME_ENTERS_PREFIX.length), query };
  }
  if (rawPath === PARKED_PATH) return { kind: 'parked', query };
  if (rawPath.startsWith(DISCONNECT_PREFIX)) return { kind: 'disconnect', rawName: rawPath.slice(DISCONNECT_PREFIX.length), query };
  if (!rawPath.startsWith(INJECTION_PREFIX)) return null;
  const rest = rawPath.slice(INJECTION_PREFIX.length);
  if (rest.endsWith('/message')) return { kind: 'message', rawName: rest.slice(0, -'/message'.length), query };
  if (rest.endsWith('/enters')) return { kind: 'enters', rawName: rest.slice(0, -'/enters'.length), query };
  return { kind: 'injection', rawName: rest, query };
}

/** Requests in absolute form (`GET http://host/path`) carry the origin in the target; routes look at the path. */
function stripOrigin(target: string): string | null {
  if (target.startsWith('/')) return target;
  const m = /^https?:\/\/[^/?#]*/i.exec(target);
  if (m === null) return null;
  const path = target.slice(m[0].length);
  return path === '' ? '/' : path.startsWith('/') ? path : null;
}

/** Decodes a name from the path exactly once and checks it is a name the injector accepts. */
export function decodeName(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw new BadNameError(`injection name ${JSON.stringify(raw)} is not valid percent-encoded UTF-8`);
  }
  try {
    validateName(name);
  } catch (err) {
    throw new BadNameError((err as Error).message);
  }
  return name;
}
