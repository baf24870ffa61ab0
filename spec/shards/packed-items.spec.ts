import fc from 'fast-check';
import { INJECTION_TYPES, type InjectionEvent } from '../../lib/event';
import { isPhaseCode, packItems, unpackHit, unpackPhase, type ShardItem, type ShardPhase } from '../../lib/shards/packed-items';

const unpackAll = (items: ShardItem[], shard: number): ShardItem[] => {
  const packed = structuredClone(packItems(items));
  return Array.from({ length: packed.length }, (_, i) =>
    isPhaseCode(packed, i) ? unpackPhase(packed, i, shard) : unpackHit(packed, i, shard),
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
      { injection: 'p', phase: 'exhausted', shard: 2, ts: 15 },
    ];
    expect(unpackAll(items, 2)).toEqual(items);
  });

  it('gives each phase its own code after the four hit types (6: exhausted), with no parameters slot', () => {
    const packed = packItems([
      { injection: 'x', phase: 'exhausted', shard: 1, ts: 7 },
      { injection: 'x', phase: 'waiting', shard: 1, ts: 8 },
      { injection: 'x', type: 'lambda', shard: 1, ts: 9, params: {} },
    ]);
    expect(Array.from(packed.meta)).toEqual([6, 0, 0, 4, 0, 0, 3, 0, 0]);
    expect([0, 1, 2].map((i) => isPhaseCode(packed, i))).toEqual([true, true, false]);
    expect(packed.params).toHaveLength(1);
    expect(unpackPhase(packed, 0, 4)).toEqual({ injection: 'x', phase: 'exhausted', shard: 4, ts: 7 });
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

  it("carries the scope of a scoped enablement's handler phases and exhaustion, as it does its hits", () => {
    const items: ShardItem[] = [
      { injection: 'h', phase: 'waiting', shard: 1, ts: 1, scope: 't1' },
      { injection: 'h', phase: 'released', shard: 1, ts: 2 },
      { injection: 'h', phase: 'exhausted', shard: 1, ts: 3, scope: 't1' },
      { injection: 'h', phase: 'exhausted', shard: 1, ts: 4 },
    ];
    const unpacked = unpackAll(items, 1);
    expect(unpacked).toEqual(items);
    expect(['scope' in unpacked[1], 'scope' in unpacked[3]]).toEqual([false, false]);
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
      phase: fc.constantFrom<ShardPhase['phase']>('waiting', 'released', 'exhausted'),
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
