import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';
import { ForbiddenHostError, InvalidServerOptionError } from './errors';

/**
 * Which `Host` headers a server answers. A page on any web site can rebind its own host name to 127.0.0.1;
 * its requests then reach this server with `Host: evil.example:PORT` and a matching Origin, so an Origin
 * check alone lets them through. Such a page cannot choose the Host header, so answering only the names a
 * developer actually uses for this server (as Vite and webpack-dev-server do since their rebinding reports)
 * closes the hole.
 */
export type AllowedHosts = readonly string[] | 'all';

/** The checked form: `all`, or exact names and `.suffix` entries (the name itself and every subdomain). */
export interface HostPolicy {
  readonly all: boolean;
  readonly exact: ReadonlySet<string>;
  readonly suffixes: readonly string[];
}

export function hostPolicy(allowedHosts: unknown): HostPolicy {
  if (allowedHosts === 'all') return { all: true, exact: new Set(), suffixes: [] };
  if (allowedHosts === undefined) allowedHosts = [];
  if (!Array.isArray(allowedHosts) || !allowedHosts.every((h) => typeof h === 'string' && h.trim() !== '')) {
    throw new InvalidServerOptionError(`allowedHosts must be 'all' or an array of host names, got ${describe(allowedHosts)}`);
  }
  const exact = new Set<string>();
  const suffixes: string[] = [];
  for (const entry of allowedHosts as string[]) {
    const name = entry.trim().toLowerCase();
    if (name === 'all') return { all: true, exact: new Set(), suffixes: [] };
    if (/[\s/:@?#]/.test(name.replace(/^\[.*\]$/, ''))) {
      throw new InvalidServerOptionError(`allowedHosts: ${JSON.stringify(entry)} is not a host name (give it without scheme or port)`);
    }
    if (name.startsWith('.')) {
      suffixes.push(name);
      exact.add(name.slice(1));
    } else {
      exact.add(name);
    }
  }
  return { all: false, exact, suffixes };
}

/**
 * `allowedHosts` plus the name a server was told to listen on, which is one its users type (an address is
 * always admitted anyway). Anything that is not a list is passed on as it is, for hostPolicy to refuse.
 */
export function withListenHost(allowedHosts: unknown, listenHost: string): unknown {
  if (isIP(listenHost) !== 0 || allowedHosts === 'all') return allowedHosts;
  if (allowedHosts === undefined) return [listenHost];
  return Array.isArray(allowedHosts) ? [...(allowedHosts as unknown[]), listenHost] : allowedHosts;
}

/**
 * Throws ForbiddenHostError unless the request's Host is `localhost`, a `*.localhost` name, an IP literal,
 * or admitted by `policy`. A request without Host (HTTP/1.0 tools) passes: every browser sends one.
 */
export function checkHost(req: IncomingMessage, policy: HostPolicy): void {
  if (policy.all) return;
  const header = req.headers.host;
  if (header === undefined) return;
  const name = hostName(header);
  if (name !== null && isAllowedName(name, policy)) return;
  throw new ForbiddenHostError(header);
}

/** The host part of a Host header value, lower case, without port or IPv6 brackets; null when malformed. */
export function hostName(header: string): string | null {
  const value = header.trim().toLowerCase();
  if (value.startsWith('[')) {
    const end = value.indexOf(']');
    if (end === -1) return null;
    const rest = value.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return null;
    const literal = value.slice(1, end);
    return isIP(literal) === 6 ? literal : null;
  }
  const m = /^([^:]*)(?::\d{1,5})?$/.exec(value);
  if (m === null || m[1] === '') return null;
  // A fully qualified name's trailing dot names the same host.
  return m[1].endsWith('.') ? m[1].slice(0, -1) : m[1];
}

function isAllowedName(name: string, policy: HostPolicy): boolean {
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  if (isIP(name) !== 0) return true;
  if (policy.exact.has(name)) return true;
  return policy.suffixes.some((suffix) => name.endsWith(suffix));
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : Array.isArray(value) ? 'an array with a non-name in it' : String(value);
}
