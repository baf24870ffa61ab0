import type { IncomingMessage } from 'node:http';
import { ForbiddenHostError, InvalidServerOptionError } from '../../lib/server/errors';
import { checkHost, hostName, hostPolicy, withListenHost } from '../../lib/server/host-check';

const request = (host: string | undefined): IncomingMessage => ({ headers: host === undefined ? {} : { host } }) as IncomingMessage;

const refused = (host: string, allowedHosts?: unknown): unknown => {
  try {
    checkHost(request(host), hostPolicy(allowedHosts));
  } catch (err) {
    return err;
  }
  return undefined;
};

describe('hostName', () => {
  test.each([
    ['localhost:10000', 'localhost'],
    ['LocalHost', 'localhost'],
    ['127.0.0.1:80', '127.0.0.1'],
    ['[::1]:10000', '::1'],
    ['[::1]', '::1'],
    ['evil.example.:8080', 'evil.example'],
    ['  a.b  ', 'a.b'],
  ])('%j names %j', (header, name) => {
    expect(hostName(header)).toBe(name);
  });

  test.each(['', ':80', '[::1', '[::1]x', '[not-ip]:1', 'a:b:c', 'localhost:123456', 'localhost:'])('%j is malformed', (header) => {
    expect(hostName(header)).toBeNull();
  });
});

describe('checkHost', () => {
  test.each(['localhost', 'localhost:10000', 'app.localhost:3000', 'LOCALHOST.', '127.0.0.1:10000', '10.1.2.3', '[::1]:10000', '[fe80::1]'])(
    '%j is answered by default',
    (host) => {
      expect(refused(host)).toBeUndefined();
    },
  );

  test.each(['evil.example:10000', 'localhost.evil.example', '127.0.0.1.evil.example', 'localhost@evil.example', 'evil', '[::1', ''])(
    '%j is refused with a 403 ForbiddenHostError',
    (host) => {
      const err = refused(host);
      expect(err).toBeInstanceOf(ForbiddenHostError);
      expect(err).toMatchObject({ status: 403, code: 'ERR_FAULTLINE_FORBIDDEN_HOST' });
      expect((err as Error).message).toContain('allowedHosts');
    },
  );

  test('a request without Host (HTTP/1.0 tools; no browser sends one) passes', () => {
    expect(() => checkHost(request(undefined), hostPolicy(undefined))).not.toThrow();
  });

  test('allowedHosts admits exact names (any case, any port) and, with a leading dot, a name and its subdomains', () => {
    const allowed = ['DevBox.internal', '.corp.example'];
    for (const host of ['devbox.internal:10000', 'corp.example', 'a.corp.example:1', 'a.b.corp.example']) {
      expect(refused(host, allowed)).toBeUndefined();
    }
    for (const host of ['x.devbox.internal', 'evilcorp.example', 'corp.example.evil', 'evil.example']) {
      expect(refused(host, allowed)).toBeInstanceOf(ForbiddenHostError);
    }
  });

  test("'all' (the option, or an entry of the list) turns the check off", () => {
    expect(refused('evil.example', 'all')).toBeUndefined();
    expect(refused('evil.example', ['x', 'ALL'])).toBeUndefined();
  });
});

describe('hostPolicy', () => {
  test.each([[['']], [['http://x']], [['x:80']], [['a/b']], [[1]], ['x'], [{}], [null]])('refuses allowedHosts %j', (value) => {
    expect(() => hostPolicy(value)).toThrow(InvalidServerOptionError);
  });
});

describe('withListenHost', () => {
  test('adds a listen host that is a name, not an address, and leaves what hostPolicy must refuse as it is', () => {
    expect(withListenHost(undefined, 'devbox')).toEqual(['devbox']);
    expect(withListenHost(['a'], 'devbox')).toEqual(['a', 'devbox']);
    expect(withListenHost(['a'], '0.0.0.0')).toEqual(['a']);
    expect(withListenHost(undefined, '::')).toBeUndefined();
    expect(withListenHost('all', 'devbox')).toBe('all');
    expect(withListenHost('x', 'devbox')).toBe('x');
  });
});
