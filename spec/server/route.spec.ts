import { BadNameError } from '../../lib/server/errors';
import { decodeName, matchRoute } from '../../lib/server/route';

const API = '/v2/error_injection';

describe('matchRoute', () => {
  test.each([
    [`${API}/injection`, { kind: 'injections', query: '' }],
    [`${API}/injection?x=1`, { kind: 'injections', query: 'x=1' }],
    [`${API}/events?injection=a&shard=0`, { kind: 'events', query: 'injection=a&shard=0' }],
    [`${API}/injection/a`, { kind: 'injection', rawName: 'a', query: '' }],
    [`${API}/injection/a%2Fb?one_shot=True`, { kind: 'injection', rawName: 'a%2Fb', query: 'one_shot=True' }],
    [`${API}/injection/a/b`, { kind: 'injection', rawName: 'a/b', query: '' }],
    [`${API}/injection/a/message`, { kind: 'message', rawName: 'a', query: '' }],
    [`${API}/injection/a/b/enters`, { kind: 'enters', rawName: 'a/b', query: '' }],
    [`${API}/injection/a%2Fmessage`, { kind: 'injection', rawName: 'a%2Fmessage', query: '' }],
    [`${API}/injection/`, { kind: 'injection', rawName: '', query: '' }],
    [`http://127.0.0.1:10000${API}/injection`, { kind: 'injections', query: '' }],
  ])('%s', (target, route) => {
    expect(matchRoute(target)).toEqual(route);
  });

  test.each(['/', '/v2', API, `${API}/`, `${API}/events/x`, `${API}/injections`, `//v2/error_injection/injection`, '*', 'http://h', 'garbage'])(
    '%s is not ours',
    (target) => {
      expect(matchRoute(target)).toBeNull();
    },
  );
});

describe('decodeName', () => {
  test('decodes exactly once', () => {
    expect(decodeName('a%2Fb')).toBe('a/b');
    expect(decodeName('100%25')).toBe('100%');
    expect(decodeName('%2525')).toBe('%25');
    expect(decodeName('a+b')).toBe('a+b');
    expect(decodeName('%E2%98%83')).toBe('☃');
  });

  test.each(['%', '%G0', '%E2%98', '', '%0A', 'a%7Fb', '%C2%85', '%ED%A0%80', 'x'.repeat(1025)])('refuses %j with a 400', (raw) => {
    expect(() => decodeName(raw)).toThrow(BadNameError);
    expect(() => decodeName(raw)).toThrow(expect.objectContaining({ status: 400, code: 'ERR_FAULTLINE_BAD_NAME' }));
  });
});
