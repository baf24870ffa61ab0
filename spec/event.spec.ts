import fc from 'fast-check';
import {
  boundEventParams,
  decodeEvent,
  encodeEvent,
  EVENT_PARAMS_MAX_BYTES,
  EventDecodeError,
  formatSseMessage,
  hitFrame,
  type InjectionEvent,
  type InjectionParameters,
  type InjectionType,
} from '../lib/event';

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

describe('event codec: kept JSON and the decoding fast path', () => {
  /** What decodeEvent must return, by definition: JSON.parse plus the three checks (or throw). */
  function reference(data: string, id?: string): Record<string, unknown> | 'error' {
    let o: unknown;
    try {
      o = JSON.parse(data);
    } catch {
      return 'error';
    }
    if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'error';
    const e = o as Record<string, unknown>;
    if (typeof e.injection !== 'string' || !['sleep', 'handler', 'exception', 'lambda'].includes(e.type as string)) return 'error';
    if (typeof e.shard !== 'number' || !Number.isInteger(e.shard) || e.shard < 0) return 'error';
    if (id !== undefined && id !== '') e.id = id;
    return e;
  }

  function expectSameAsReference(data: string, id?: string): void {
    const want = reference(data, id);
    if (want === 'error') {
      expect(() => decodeEvent(data, id)).toThrow(EventDecodeError);
      return;
    }
    const got = decodeEvent(data, id);
    expect(got).toEqual(want);
    expect(Object.keys(got)).toEqual(Object.keys(want));
    expect(Object.getPrototypeOf(got)).toBe(Object.prototype);
  }

  it('re-encodes parameters that were changed in place (only frozen ones are kept)', () => {
    const params: Record<string, string> = { k: 'v' };
    const e = { injection: 'mutable', type: 'lambda' as const, shard: 0, params };
    expect(encodeEvent(e)).toBe('{"injection":"mutable","type":"lambda","shard":0,"params":{"k":"v"}}');
    params.k = 'w';
    expect(encodeEvent(e)).toBe('{"injection":"mutable","type":"lambda","shard":0,"params":{"k":"w"}}');
    const frozen = Object.freeze({ a: 'b' });
    for (let i = 0; i < 3; i++) {
      expect(encodeEvent({ injection: 'f', type: 'sleep', shard: i, ts: i, params: frozen })).toBe(
        `{"injection":"f","type":"sleep","shard":${i},"ts":${i},"params":{"a":"b"}}`,
      );
    }
  });

  it('keeps one name apart by type and shard, including shards too large to keep', () => {
    for (const [type, shard] of [['lambda', 0], ['sleep', 0], ['lambda', 3], ['lambda', 5000], ['lambda', 0]] as const) {
      expect(encodeEvent({ injection: 'same', type, shard })).toBe(`{"injection":"same","type":"${type}","shard":${shard}}`);
    }
  });

  it('decodes what encodeEvent writes exactly as JSON.parse does, for any name, parameters and fields', () => {
    const event = fc.record(
      {
        injection: fc.oneof(fc.string(), fc.constantFrom('a,"ts":1', 'x\\y', '\t', 'ts', '"')),
        type: fc.constantFrom('sleep', 'handler', 'exception', 'lambda'),
        shard: fc.nat(),
        ts: fc.oneof(fc.nat(), fc.constant(1764085923123), fc.double()),
        params: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('__proto__', 'ts', '1')), fc.string(), { maxKeys: 4 }),
        extra: fc.jsonValue(),
      },
      { requiredKeys: ['injection', 'type', 'shard'] },
    );
    fc.assert(
      fc.property(event, fc.constantFrom(undefined, '', '7'), (e, id) => {
        const data = encodeEvent(e as InjectionEvent);
        // Twice: the first decode may keep the head and tail, the second uses them.
        expectSameAsReference(data, id);
        expectSameAsReference(data, id);
      }),
    );
  });

  it.each([
    '{"injection":"x","type":"lambda","shard":0,"ts":05}',
    '{"injection":"x","type":"lambda","shard":0,"ts":-5}',
    '{"injection":"x","type":"lambda","shard":0,"ts":1.5}',
    '{"injection":"x","type":"lambda","shard":0,"ts":1e3}',
    '{"injection":"x","type":"lambda","shard":0,"ts":1234567890123456789}',
    '{"injection":"x","type":"lambda","shard":0,"ts":5,}',
    '{"injection":"x","type":"lambda","shard":0,"ts":5',
    '{"injection":"x","type":"lambda","shard":0,"ts":5}}',
    '{"injection":"x","type":"lambda","shard":0,"ts":5,"shard":-1}',
    '{"injection":"x","type":"lambda","shard":0,"ts":5,"type":"nap"}',
    '{"injection":"x","type":"lambda","shard":0,"ts":5,"__proto__":{"a":1}}',
    '{"injection":"x","type":"lambda","shard":0,"ts":5,"params":{"k":{"deep":1}}}',
    '{"injection":"x","injection":"y","type":"lambda","shard":0,"ts":5}',
    '{"type":"lambda","injection":"x","shard":0,"ts":5}',
    '{"injection":"x","type":"lambda","shard":0,"extra":{"ts":5}}',
    '{"injection":"x","type":"lambda","shard":0,"params":{"a":"b"},"ts":5}',
    '{"injection":"a,\\"ts\\":1","type":"lambda","shard":0,"ts":5}',
    '{ "injection":"x","type":"lambda","shard":0,"ts":5}',
    '{"injection":"x","type":"lambda","shard":01,"ts":5}',
    '{"injection":"x","type":"nap","shard":0,"ts":5}',
    '[{"injection":"x","type":"lambda","shard":0,"ts":5}]',
  ])('decodes %s as JSON.parse and the checks do (or refuses it the same way)', (data) => {
    expectSameAsReference(data, '9');
    expectSameAsReference(data, '9');
  });

  it('shares one frozen parameters object between events of the same injection and parameters', () => {
    const a = decodeEvent('{"injection":"s","type":"lambda","shard":0,"ts":1,"params":{"k":"v"}}');
    const b = decodeEvent('{"injection":"s","type":"lambda","shard":0,"ts":2,"params":{"k":"v"}}');
    expect(a.params).toEqual({ k: 'v' });
    expect(b.params).toBe(a.params);
    expect(Object.isFrozen(a.params)).toBe(true);
    expect(Object.isFrozen(a)).toBe(false);
    expect([a.ts, b.ts]).toEqual([1, 2]);
  });

  it('decodes interleaved events of more heads than it keeps slots for, each as JSON.parse does', () => {
    // 300 heads (names alike but for one character, 4 shards, 2 types) in turn, twice: slots collide and are
    // reused, and every event still decodes to its own name, type and shard.
    const names = Array.from({ length: 75 }, (_, i) => `point_${String(i).padStart(3, '0')}`);
    for (let round = 0; round < 2; round++) {
      for (const name of names) {
        for (let shard = 0; shard < 4; shard++) {
          const type = shard % 2 ? 'sleep' : 'lambda';
          const data = `{"injection":"${name}","type":"${type}","shard":${shard},"ts":${1000 + round},"params":{"k":"v"}}`;
          expect(decodeEvent(data, `e-${shard}`)).toStrictEqual({ ...JSON.parse(data), id: `e-${shard}` });
        }
      }
    }
  });
});

describe('boundEventParams: what the default stream carries of the parameters', () => {
  const event = (params: Record<string, string>): InjectionEvent => ({ injection: 'x', type: 'lambda', shard: 0, ts: 1, params: Object.freeze(params) });
  const bytes = (params: unknown): number => Buffer.byteLength(JSON.stringify(params));

  it('leaves an event whose parameters fit as it is (the same object, no marker)', () => {
    const fits = event({ a: '1', b: 'x'.repeat(EVENT_PARAMS_MAX_BYTES - 20) });
    expect(bytes(fits.params)).toBeLessThanOrEqual(EVENT_PARAMS_MAX_BYTES);
    expect(boundEventParams(fits)).toBe(fits);
    const none: InjectionEvent = { injection: 'x', type: 'lambda', shard: 0 };
    expect(boundEventParams(none)).toBe(none);
  });

  it('keeps the entries that fit, whole and in order, marks the event, and never cuts a value part way', () => {
    const big = event({ first: 'a', huge: 'h'.repeat(1024 * 1024 - 64), mid: 'm'.repeat(3000), last: 'z', tooMuch: 'y'.repeat(2000) });
    const bounded = boundEventParams(big);
    expect(bounded).not.toBe(big);
    expect(bounded.paramsTruncated).toBe(true);
    expect(bounded.params).toEqual({ first: 'a', mid: 'm'.repeat(3000), last: 'z' });
    expect(Object.keys(bounded.params ?? {})).toEqual(['first', 'mid', 'last']);
    expect(bytes(bounded.params)).toBeLessThanOrEqual(EVENT_PARAMS_MAX_BYTES);
    // The event itself is untouched: the whole set is still what the group keeps and the state route shows.
    expect(big.params?.huge).toHaveLength(1024 * 1024 - 64);
    expect({ ...bounded, params: big.params, paramsTruncated: undefined }).toEqual({ ...big, paramsTruncated: undefined });
  });

  it('counts UTF-8 bytes and JSON escapes, not characters', () => {
    const wide = boundEventParams(event({ a: '\u20ac'.repeat(1500), b: '"'.repeat(2100), c: 'ok' }));
    expect(wide.params).toEqual({ c: 'ok' });
    expect(bytes(wide.params)).toBeLessThanOrEqual(EVENT_PARAMS_MAX_BYTES);
  });

  it('cuts the same frozen parameters once, and keeps odd keys as data', () => {
    const params = Object.freeze(JSON.parse('{"__proto__":"p","big":"' + 'b'.repeat(5000) + '"}') as Record<string, string>);
    const a = boundEventParams({ injection: 'x', type: 'sleep', shard: 0, params });
    const b = boundEventParams({ injection: 'x', type: 'sleep', shard: 1, params });
    expect(a.params).toBe(b.params);
    expect(Object.isFrozen(a.params)).toBe(true);
    expect(Object.keys(a.params ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(a.params)).toBe(Object.prototype);
  });

  it('a cut event encodes the marker after params, and decodes back to the same event on both decode paths', () => {
    const bounded = boundEventParams(event({ k: 'v', big: 'b'.repeat(5000) }));
    const data = encodeEvent(bounded);
    expect(data).toBe('{"injection":"x","type":"lambda","shard":0,"ts":1,"params":{"k":"v"},"paramsTruncated":true}');
    expect(decodeEvent(data)).toEqual(bounded);
    expect(decodeEvent(data)).toEqual(bounded); // the second time through the kept head and tail
    expect(decodeEvent(data.replace('"ts":1,', ''))).toEqual({ ...bounded, ts: undefined });
  });
});

describe('hitFrame: the frame of a hit, from its parts', () => {
  const types: InjectionType[] = ['sleep', 'handler', 'exception', 'lambda'];

  it('is exactly the frame of the encoded event, for any name, shard, ts, scope and frozen parameters that fit', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.constantFrom(...types),
        fc.oneof(fc.nat(3), fc.nat(5000)),
        fc.nat(4_000_000_000_000),
        fc.nat(1_000_000),
        fc.option(fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 30 }), { maxKeys: 4 }), { nil: undefined }),
        fc.option(fc.string({ minLength: 1, maxLength: 20 }), { nil: undefined }),
        (injection, type, shard, ts, seq, dict, scope) => {
          const params = dict === undefined ? undefined : Object.freeze({ ...dict });
          const id = `ep-${seq}`;
          // As the group builds a hit's event: `scope` last, and only when the hit is scoped.
          const event: InjectionEvent =
            scope === undefined ? { injection, type, shard, ts, params, id } : { injection, type, shard, ts, params, id, scope };
          const expected = formatSseMessage(encodeEvent(boundEventParams(event)), id);
          // Twice: the second time from the kept head and parameters.
          expect(hitFrame('ep', seq, { injection, type, shard, ts, params, scope })).toBe(expected);
          expect(hitFrame('ep', seq, { injection, type, shard, ts, params, scope })).toBe(expected);
        },
      ),
    );
  });

  it('leaves to the caller parameters that are not frozen or that the default stream would cut', () => {
    const part = (params: InjectionParameters | undefined) => ({ injection: 'x', type: 'lambda' as const, shard: 0, ts: 5, params, scope: 'tenant-a' });
    expect(hitFrame('ep', 1, part({ k: 'v' }))).toBeUndefined();
    const big = Object.freeze({ k: 'v'.repeat(EVENT_PARAMS_MAX_BYTES) });
    expect(hitFrame('ep', 1, part(big))).toBeUndefined();
    expect(hitFrame('ep', 2, part(big))).toBeUndefined();
    expect(hitFrame('ep', 1, part(undefined))).toBe('id: ep-1\ndata: {"injection":"x","type":"lambda","shard":0,"ts":5,"scope":"tenant-a"}\n\n');
  });
});
