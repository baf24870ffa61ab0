import fc from 'fast-check';
import { INJECTION_TYPES, type HandlerEvent, type InjectionEvent } from '../../lib/event';
import { isHandlerCode, packItems, unpackHandlerEvent, unpackHit, type ShardItem } from '../../lib/shards/packed-items';

const unpackAll = (items: ShardItem[], shard: number): ShardItem[] => {
  const packed = structuredClone(packItems(items));
  return Array.from({ length: packed.length }, (_, i) =>
    isHandlerCode(packed, i) ? unpackHandlerEvent(packed, i, shard) : unpackHit(packed, i, shard),
  );
};

describe('packed items (a worker batch in columns)', () => {
  it('round-trips hits and handler phases, in order, across a structured clone', () => {
    const params = Object.freeze({ a: '1' });
    const items: ShardItem[] = [
      { injection: 'x', type: 'lambda', shard: 2, ts: 10, params },
      { injection: 'p', phase: 'waiting', shard: 2, ts: 11 },
      { injection: 'y', type: 'exception', shard: 2, ts: 12, params: {} },
      { injection: 'x', type: 'sleep', shard: 2, ts: 13, params },
      { injection: 'p', phase: 'released', shard: 2, ts: 14 },
    ];
    expect(unpackAll(items, 2)).toEqual(items);
  });

  it('sends a repeated name or parameters object once', () => {
    const params = { k: 'v' };
    const items = Array.from({ length: 100 }, (_, i): InjectionEvent => ({ injection: 'same', type: 'handler', shard: 1, ts: i, params }));
    const packed = packItems(items);
    expect(packed.names).toEqual(['same']);
    expect(packed.params).toEqual([params]);
  });

  it('carries the scope of scoped hits, and adds nothing to a batch with none', () => {
    const items: ShardItem[] = [
      { injection: 'x', type: 'lambda', shard: 1, ts: 1, params: {}, scope: 't1' },
      { injection: 'x', type: 'lambda', shard: 1, ts: 2, params: {} },
      { injection: 'x', type: 'sleep', shard: 1, ts: 3, params: {}, scope: 't2' },
    ];
    const unpacked = unpackAll(items, 1);
    expect(unpacked).toEqual(items);
    expect('scope' in unpacked[1]).toBe(false);
    expect('scopes' in packItems([items[1]])).toBe(false);
  });

  it('unpacks on the shard it is given (the host knows which worker sent it)', () => {
    const [hit] = unpackAll([{ injection: 'x', type: 'lambda', shard: 0, ts: 1, params: {} }], 5);
    expect(hit.shard).toBe(5);
  });

  it('round-trips any sequence of hits and phases', () => {
    const name = fc.string({ minLength: 1, maxLength: 8 });
    const hit = fc.record({
      injection: name,
      type: fc.constantFrom(...INJECTION_TYPES),
      shard: fc.constant(3),
      ts: fc.integer({ min: 0, max: 2 ** 45 }),
      params: fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 3 }),
    });
    const phase = fc.record({
      injection: name,
      phase: fc.constantFrom<HandlerEvent['phase']>('waiting', 'released'),
      shard: fc.constant(3),
      ts: fc.integer({ min: 0, max: 2 ** 45 }),
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(hit, phase), { maxLength: 40 }), (items) => {
        expect(unpackAll(items as ShardItem[], 3)).toEqual(items);
      }),
    );
  });
});
