import { API_BASE_PATH } from '../wire';
import { UsageError } from './errors';


export interface NodeUrl {
  /** The node's base URL without a trailing slash, e.g. `http://127.0.0.1:10000` or `http://host/app`. */
  readonly base: string;
  /** A `token` query parameter found in the URL (as printed in the dashboard URL), if any. */
  readonly token: string | undefined;
}

/**
 * Reads a node URL as a user types it: `http://127.0.0.1:10000`, `127.0.0.1:10000`, or any URL the server
 * printed (`.../v2/error_injection/ui/?token=...`, `.../events`). Everything from `/v2/error_injection` on is
 * dropped, so a server mounted under a path prefix keeps it.
 */
export function parseNodeUrl(command: string, input: string): NodeUrl {
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(input) ? input : 'http://' + input;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    throw new UsageError(`not a URL: ${JSON.stringify(input)}`, command);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`URL must be http or https, not ${JSON.stringify(input)}`, command);
  }
  const token = url.searchParams.get('token') ?? undefined;
  let path = url.pathname;
  const at = path.indexOf(API_BASE_PATH);
  if (at !== -1) path = path.slice(0, at);
  path = path.replace(/\/+$/, '');
  return { base: url.origin + path, token };
}

/** host:port of a base URL, the short name a watch line shows for a node. */
export function nodeLabel(base: string): string {
  const url = new URL(base);
  return url.host + url.pathname.replace(/\/+$/, '');
}
