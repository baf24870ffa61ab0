import { ansi } from '../../lib/cli/color';
import { formatEventJson, formatEventLine, formatParameters, formatTime } from '../../lib/cli/format';
import type { InjectionEvent } from '../../lib/event';

// Times are formatted in local time; building them from local components keeps the tests zone-independent.
const ts = new Date(2025, 0, 2, 3, 4, 5, 67).getTime();

describe('formatTime', () => {
  it('is HH:MM:SS.mmm', () => {
    expect(formatTime(ts)).toBe('03:04:05.067');
  });
});

describe('formatParameters', () => {
  it('writes k=v pairs in order', () => {
    expect(formatParameters({ a: '1', b: 'two' })).toBe('a=1 b=two');
    expect(formatParameters(undefined)).toBe('');
    expect(formatParameters({})).toBe('');
  });

  it('quotes what would be ambiguous or break the line', () => {
    expect(formatParameters({ a: 'x y', b: '', c: 'k=v', d: 'l\nm', 'e=f': 'g' })).toBe('a="x y" b="" c=k=v d="l\\nm" "e=f"=g');
  });
});

describe('formatEventLine', () => {
  const event: InjectionEvent = { injection: 'demo_sleep', type: 'sleep', shard: 2, ts, params: { ms: '10' } };

  it('has time, node, shard, type, name and parameters, in that order', () => {
    expect(formatEventLine(event, { node: '127.0.0.1:10000', receivedAt: 0 })).toBe(
      '03:04:05.067  127.0.0.1:10000  shard 2  sleep      demo_sleep  ms=10',
    );
  });

  it("prefers the event's own node, and the receive time when the event has none (a ScyllaDB node)", () => {
    const line = formatEventLine(
      { injection: 'x', type: 'exception', shard: 0, node: 'n1' },
      { node: 'fallback', receivedAt: ts },
    );
    expect(line).toBe('03:04:05.067  n1  shard 0  exception  x');
  });

  it('stays one line whatever the name holds', () => {
    const line = formatEventLine({ injection: 'a\nb', type: 'lambda', shard: 0, ts }, { node: 'n', receivedAt: 0 });
    expect(line).not.toContain('\n');
    expect(line).toContain('"a\\nb"');
  });

  it('colours with the given paint and the text is otherwise the same', () => {
    const colored = formatEventLine(event, { node: 'n', receivedAt: 0, paint: ansi });
    expect(colored).toContain('\x1b[34msleep    ');
    // eslint-disable-next-line no-control-regex
    expect(colored.replace(/\x1b\[\d+m/g, '')).toBe(formatEventLine(event, { node: 'n', receivedAt: 0 }));
  });
});

describe('formatEventLine: cut parameters', () => {
  test('says so, and where the whole set is', () => {
    const line = formatEventLine(
      { injection: 'x', type: 'lambda', shard: 0, ts, params: { a: '1' }, paramsTruncated: true },
      { node: 'n', receivedAt: 0 },
    );
    expect(line.endsWith('  a=1  (parameters cut: see list)')).toBe(true);
  });
});

describe('formatEventJson', () => {
  it('is the event with node filled in, on one line', () => {
    const json = formatEventJson({ injection: 'x', type: 'handler', shard: 1, id: 'e-1' }, 'n');
    expect(JSON.parse(json)).toEqual({ injection: 'x', type: 'handler', shard: 1, id: 'e-1', node: 'n' });
    expect(json).not.toContain('\n');
  });
});
