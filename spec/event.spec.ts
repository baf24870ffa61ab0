import { decodeEvent, encodeEvent, EventDecodeError, formatSseMessage, type InjectionEvent } from '../lib/event';

describe('event codec', () => {
  it('puts ScyllaDB fields first, then ts and params, then the rest', () => {
    const e: InjectionEvent = { extra: 1, params: { k: 'v' }, ts: 5, shard: 2, type: 'handler', injection: 'x' };
    expect(encodeEvent(e)).toBe('{"injection":"x","type":"handler","shard":2,"ts":5,"params":{"k":"v"},"extra":1}');
  });

  it('keeps the id out of the JSON and puts it back on decode', () => {
    const data = encodeEvent({ injection: 'a', type: 'sleep', shard: 0, id: '7' });
    expect(data).toBe('{"injection":"a","type":"sleep","shard":0}');
    expect(decodeEvent(data, '7')).toEqual({ injection: 'a', type: 'sleep', shard: 0, id: '7' });
  });

  it('round-trips names with quotes, newlines and Unicode on one line', () => {
    const name = 'a "quoted"\nname/with spaces ✓ \u2028';
    const data = encodeEvent({ injection: name, type: 'lambda', shard: 1 });
    expect(data).not.toMatch(/[\r\n]/);
    expect(decodeEvent(data).injection).toBe(name);
  });

  it('decodes a plain ScyllaDB event', () => {
    expect(decodeEvent('{"injection":"n","type":"exception","shard":3}')).toEqual({
      injection: 'n',
      type: 'exception',
      shard: 3,
    });
  });

  it.each([
    ['not json', 'not JSON'],
    ['[1]', 'not a JSON object'],
    ['{"type":"sleep","shard":0}', 'no string "injection"'],
    ['{"injection":"x","type":"nap","shard":0}', 'unknown "type"'],
    ['{"injection":"x","type":"sleep","shard":-1}', 'non-negative integer "shard"'],
  ])('rejects %s with a typed error', (data, message) => {
    expect(() => decodeEvent(data)).toThrow(EventDecodeError);
    expect(() => decodeEvent(data)).toThrow(message);
    try {
      decodeEvent(data);
    } catch (err) {
      expect((err as EventDecodeError).code).toBe('ERR_FAULTLINE_EVENT_DECODE');
      expect((err as EventDecodeError).data).toBe(data);
    }
  });

  it('formats an SSE message with optional event name and id', () => {
    expect(formatSseMessage('{}', '3')).toBe('id: 3\ndata: {}\n\n');
    expect(formatSseMessage('{}', undefined, 'gap')).toBe('event: gap\ndata: {}\n\n');
  });
});
