import type { AddressInfo } from 'node:net';
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

/**
 * True for a listen host only this machine can reach: `localhost` (and `*.localhost`), 127.0.0.0/8, `::1`
 * and 127.x written as an IPv4-mapped IPv6 address. Any other name may resolve to a public address, so it
 * counts as open.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) !== 6) return false;
  // The WHATWG URL parser writes an IPv6 address in one canonical form (`::ffff:127.0.0.1` is `::ffff:7f00:1`).
  let canonical: string;
  try {
    canonical = new URL(`http://[${h}]/`).hostname;
  } catch {
    return false; // a zone id (`fe80::1%eth0`) is link-local, not loopback
  }
  return canonical === '[::1]' || /^\[::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}\]$/.test(canonical);
}

const WILDCARDS = new Set(['0.0.0.0', '::', '0:0:0:0:0:0:0:0']);

/**
 * The URL a client on this machine can use for a bound address: a wildcard (`0.0.0.0`, `::`) is not an
 * address anyone can connect to, so it becomes loopback of the same family.
 */
export function localUrl(address: AddressInfo): string {
  if (WILDCARDS.has(address.address)) {
    return address.family === 'IPv6' ? `http://[::1]:${address.port}` : `http://127.0.0.1:${address.port}`;
  }
  return urlOf(address.address, address.port);
}

/**
 * The URLs other machines can use for a bound address: for a wildcard, one per external address of this
 * machine's interfaces (the family the wildcard covers); otherwise the bound address itself, if it is not loopback.
 */
export function networkUrls(address: AddressInfo): string[] {
  if (!WILDCARDS.has(address.address)) return isLoopbackHost(address.address) ? [] : [urlOf(address.address, address.port)];
  const urls: string[] = [];
  for (const list of Object.values(networkInterfaces())) {
    for (const net of list ?? []) {
      if (net.internal) continue;
      // `::` also accepts IPv4 on dual-stack systems; `0.0.0.0` accepts IPv4 only.
      if (address.family === 'IPv4' && net.family !== 'IPv4') continue;
      if (net.family === 'IPv6' && net.scopeid !== undefined && net.scopeid !== 0) continue;
      urls.push(urlOf(net.address, address.port));
    }
  }
  return urls;
}

function urlOf(address: string, port: number): string {
  return `http://${isIP(address) === 6 ? `[${address}]` : address}:${port}`;
}
