import { API_BASE_PATH as API_PATH, EVENTS_PATH } from '../wire';
import { ClientArgumentError } from './errors';

// Turning what a user passes (a base URL, an events URL, a named node) into request URLs and node names.
// The base may carry a path prefix (a server mounted under /faultline), so paths are appended, not replaced.


/** A node given with a name of its own, shown in events and errors instead of its URL. */
export interface NamedNode {
  readonly url: string | URL;
  readonly name: string;
}

export type NodeAddress = string | URL | NamedNode;

export function parseHttpUrl(input: string | URL, what: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new ClientArgumentError(`${what}: ${JSON.stringify(String(input))} is not a URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new ClientArgumentError(`${what}: ${url.href} is not an http(s) URL`);
  }
  return url;
}

/** The node name events carry: the user's name, or the URL as given without its trailing slash. */
export function nodeName(address: NodeAddress): string {
  if (isNamed(address)) return address.name;
  return trimSlash(parseHttpUrl(address, 'node').href);
}

export function nodeUrl(address: NodeAddress): string | URL {
  return isNamed(address) ? address.url : address;
}

function isNamed(address: NodeAddress): address is NamedNode {
  return typeof address === 'object' && !(address instanceof URL);
}

/** Node names compare without a trailing slash, so `onNode(url)` matches however the URL was written. */
export function trimSlash(name: string): string {
  return name.endsWith('/') ? name.replace(/\/+$/, '') : name;
}

export function eventsUrl(base: string | URL): URL {
  const url = parseHttpUrl(base, 'events URL');
  const path = trimSlash(url.pathname);
  if (path.endsWith(EVENTS_PATH)) url.pathname = path;
  else if (path.endsWith(API_PATH)) url.pathname = path + '/events';
  else url.pathname = path + EVENTS_PATH;
  return url;
}

/** The `/v2/error_injection` base of the REST API under a server URL (or under its events URL). */
export function apiBase(base: string | URL): URL {
  const url = parseHttpUrl(base, 'API URL');
  let path = trimSlash(url.pathname);
  if (path.endsWith(EVENTS_PATH)) path = path.slice(0, -'/events'.length);
  else if (!path.endsWith(API_PATH)) path += API_PATH;
  url.pathname = path;
  url.search = '';
  url.hash = '';
  return url;
}

/** Percent-encodes an injection name as Python's `quote(name, safe='')` does (ScyllaDB's own client). */
export function encodeInjectionName(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
