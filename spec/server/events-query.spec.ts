import { eventsOptionsFromQuery, EVENTS_QUERY } from '../../lib/server/events-query';
import { parseQuery } from '../../lib/server/query';

const options = (raw: string, shards = 2, header?: string) => eventsOptionsFromQuery(parseQuery(raw, EVENTS_QUERY), Array.from({ length: shards }, () => ({ alive: true })), header);
const bad = expect.objectContaining({ status: 400, code: 'ERR_FAULTLINE_BAD_QUERY' });

describe('eventsOptionsFromQuery', () => {
  test('no query: everything, no opt-ins, no resume', () => {
    expect(options('')).toEqual({});
  });

  test('filters and opt-ins', () => {
    expect(options('injection=a&injection=b%2Fc&shard=1&type=sleep&type=handler&handler=1&shard_down')).toEqual({
      injections: ['a', 'b/c'],
      shards: [1],
      types: ['sleep', 'handler'],
      handlerEvents: true,
      shardEvents: true,
    });
    expect(options('handler=false')).toEqual({});
  });

  test('a name in the query is decoded once (by the query parser), not twice', () => {
    expect(options('injection=100%2525')).toEqual({ injections: ['100%25'] });
  });

  test('Last-Event-ID: the header wins over the lastEventId query; empty means none', () => {
    expect(options('lastEventId=e-1')).toEqual({ afterId: 'e-1' });
    expect(options('lastEventId=e-1', 2, 'e-5')).toEqual({ afterId: 'e-5' });
    expect(options('lastEventId=e-1', 2, '')).toEqual({ afterId: 'e-1' });
    expect(options('', 2, '')).toEqual({});
  });

  test.each(['shard=2', 'shard=-1', 'shard=a', 'type=sleepy', 'type=', 'injection=', 'injection=%0A', 'handler=2', 'lastEventId=a%0Ab', 'lastEventId=e-1&lastEventId=e-2'])(
    '%s is a 400',
    (raw) => {
      expect(() => options(raw)).toThrow(bad);
    },
  );

  test('an overlong or control-character Last-Event-ID header is a 400', () => {
    expect(() => options('', 1, 'x'.repeat(257))).toThrow(bad);
    expect(() => options('', 1, 'a\u0000b')).toThrow(bad);
  });
});

describe('eventsOptionsFromQuery: scope', () => {
  test('scope filters, repeatable', () => {
    expect(options('scope=t1&scope=t-2')).toEqual({ scopes: ['t1', 't-2'] });
  });

  test.each([
    ['empty', 'scope=', 'query parameter "scope": a scope must not be empty'],
    ['with a space', 'scope=a%20b', 'query parameter "scope": a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got "a b"'],
    ['too long', 'scope=' + 'x'.repeat(129), 'query parameter "scope": a scope is at most 128 characters, got 129'],
  ])('a scope that is not one (%s) is a 400 naming the problem', (_l, raw, message) => {
    expect(() => options(raw)).toThrow(expect.objectContaining({ status: 400, code: 'ERR_FAULTLINE_BAD_QUERY', message }) as unknown as Error);
  });
});
