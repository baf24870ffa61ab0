import { isLoopbackHost, localUrl, networkUrls } from '../../lib/server/listen-address';

describe('isLoopbackHost', () => {
  test.each(['localhost', 'LOCALHOST', 'a.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'])(
    '%j is loopback',
    (host) => {
      expect(isLoopbackHost(host)).toBe(true);
    },
  );

  test.each(['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', '::ffff:10.0.0.1', 'fe80::1', 'fe80::1%eth0', 'devbox', 'localhost.evil.example', '128.0.0.1'])(
    '%j is not',
    (host) => {
      expect(isLoopbackHost(host)).toBe(false);
    },
  );
});

describe('localUrl', () => {
  test('a wildcard address becomes loopback of its family: never 0.0.0.0 or [::]', () => {
    expect(localUrl({ address: '0.0.0.0', family: 'IPv4', port: 10000 })).toBe('http://127.0.0.1:10000');
    expect(localUrl({ address: '::', family: 'IPv6', port: 10000 })).toBe('http://[::1]:10000');
  });

  test('any other address is used as bound, IPv6 in brackets', () => {
    expect(localUrl({ address: '127.0.0.1', family: 'IPv4', port: 1 })).toBe('http://127.0.0.1:1');
    expect(localUrl({ address: '::1', family: 'IPv6', port: 2 })).toBe('http://[::1]:2');
    expect(localUrl({ address: '192.168.1.2', family: 'IPv4', port: 3 })).toBe('http://192.168.1.2:3');
  });
});

describe('networkUrls', () => {
  test('none for loopback; the address itself for one other address', () => {
    expect(networkUrls({ address: '127.0.0.1', family: 'IPv4', port: 1 })).toEqual([]);
    expect(networkUrls({ address: '192.168.1.2', family: 'IPv4', port: 3 })).toEqual(['http://192.168.1.2:3']);
  });

  test('for a wildcard: external addresses of this machine only, never a wildcard or loopback', () => {
    const urls = [
      ...networkUrls({ address: '0.0.0.0', family: 'IPv4', port: 4 }),
      ...networkUrls({ address: '::', family: 'IPv6', port: 4 }),
    ];
    for (const url of urls) {
      const host = new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');
      expect(isLoopbackHost(host)).toBe(false);
      expect(['0.0.0.0', '::']).not.toContain(host);
      expect(url.endsWith(':4')).toBe(true);
    }
  });
});
