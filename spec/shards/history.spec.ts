import fc from 'fast-check';
import { HitHistory } from '../../lib/shards/history';

/** Pushes hit `seq` of injection x (its ts = its seq). */
const push = (h: HitHistory, seq: number, bytes?: number): void => h.push(seq, 'x', 'lambda', 0, seq, undefined, undefined, bytes);
const seqsAfter = (h: HitHistory, afterSeq: number): number[] => h.after(afterSeq, (seq) => seq);

describe('HitHistory', () => {
  it('keeps the last `capacity` hits and finds those after a seq by arithmetic', () => {
    const h = new HitHistory(3);
    expect(h.oldestSeq).toBeUndefined();
    expect(seqsAfter(h, 0)).toEqual([]);
    for (let s = 1; s <= 5; s++) push(h, s);
    expect(h.size).toBe(3);
    expect(h.oldestSeq).toBe(3);
    expect(seqsAfter(h, 0)).toEqual([3, 4, 5]);
    expect(seqsAfter(h, 3)).toEqual([4, 5]);
    expect(seqsAfter(h, 5)).toEqual([]);
    h.clear();
    expect(h.size).toBe(0);
    expect(h.oldestSeq).toBeUndefined();
  });

  it('gives back each kept hit as it was pushed, with its seq and scope', () => {
    const h = new HitHistory(2);
    const params = Object.freeze({ k: 'v' });
    h.push(7, 'a', 'sleep', 3, 1.5, params, 'old-scope');
    h.push(8, 'b', 'handler', 0, 2, undefined, 'tenant-a');
    // Into the slot of hit 7: an unscoped hit does not inherit the scope the slot held.
    h.push(9, 'c', 'exception', 4_000_000_000, 3, params, undefined);
    expect(h.oldestSeq).toBe(8);
    const kept = h.after(0, (seq, hit) => ({ seq, ...hit }));
    expect(kept).toEqual([
      { seq: 8, injection: 'b', type: 'handler', shard: 0, ts: 2, params: undefined, scope: 'tenant-a' },
      { seq: 9, injection: 'c', type: 'exception', shard: 4_000_000_000, ts: 3, params, scope: undefined },
    ]);
    expect(kept[1].params).toBe(params);
  });

  it('with capacity 0 keeps nothing', () => {
    const h = new HitHistory(0);
    push(h, 1);
    expect(h.size).toBe(0);
    expect(seqsAfter(h, 0)).toEqual([]);
  });

  it('after(seq) is always the kept suffix of everything pushed with a greater seq', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.nat(70), (cap, n, after) => {
        const h = new HitHistory(cap);
        for (let s = 1; s <= n; s++) push(h, s);
        const kept = Array.from({ length: n }, (_, i) => i + 1).slice(Math.max(0, n - cap));
        expect(seqsAfter(h, after)).toEqual(kept.filter((s) => s > after));
        expect(h.oldestSeq).toBe(kept[0]);
      }),
    );
  });

  it('keeps at most maxBytes of estimated size, the oldest going first', () => {
    const h = new HitHistory(10, 100);
    for (let s = 1; s <= 4; s++) push(h, s, 30);
    expect(seqsAfter(h, 0)).toEqual([2, 3, 4]);
    expect(h.bytes).toBe(90);
    push(h, 5, 70);
    expect(seqsAfter(h, 0)).toEqual([4, 5]);
    expect(h.bytes).toBe(100);
    h.clear();
    expect(h.bytes).toBe(0);
  });

  it('does not keep a hit bigger than maxBytes on its own, and drops everything older with it', () => {
    const h = new HitHistory(10, 100);
    push(h, 1, 10);
    push(h, 2, 101);
    expect(h.size).toBe(0);
    expect(h.bytes).toBe(0);
    push(h, 3, 10);
    expect(seqsAfter(h, 0)).toEqual([3]);
  });

  it('never holds more than capacity hits or maxBytes, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 200 }), fc.array(fc.nat(120), { maxLength: 60 }), (cap, max, sizes) => {
        const h = new HitHistory(cap, max);
        sizes.forEach((size, i) => push(h, i + 1, size));
        expect(h.size).toBeLessThanOrEqual(cap);
        expect(h.bytes).toBeLessThanOrEqual(max);
        // What is kept is a suffix: the newest hits whose sizes fit.
        const kept = seqsAfter(h, 0);
        if (kept.length > 0) expect(kept[kept.length - 1]).toBe(sizes.length);
        expect(h.bytes).toBe(kept.reduce((sum, seq) => sum + sizes[seq - 1], 0));
      }),
    );
  });
});
