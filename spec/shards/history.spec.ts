import fc from 'fast-check';
import { Hit } from '../../lib/shards/group-items';
import { HitHistory } from '../../lib/shards/history';

const hit = (seq: number): Hit => new Hit(seq, `e-${seq}`, { injection: 'x', type: 'lambda', shard: 0 });

describe('HitHistory', () => {
  it('keeps the last `capacity` hits and finds those after a seq by arithmetic', () => {
    const h = new HitHistory(3);
    expect(h.oldest()).toBeUndefined();
    expect(h.after(0)).toEqual([]);
    for (let s = 1; s <= 5; s++) h.push(hit(s));
    expect(h.size).toBe(3);
    expect(h.oldest()?.seq).toBe(3);
    expect(h.after(0).map((x) => x.seq)).toEqual([3, 4, 5]);
    expect(h.after(3).map((x) => x.seq)).toEqual([4, 5]);
    expect(h.after(5)).toEqual([]);
    h.clear();
    expect(h.size).toBe(0);
    expect(h.oldest()).toBeUndefined();
  });

  it('with capacity 0 keeps nothing', () => {
    const h = new HitHistory(0);
    h.push(hit(1));
    expect(h.size).toBe(0);
    expect(h.after(0)).toEqual([]);
  });

  it('after(seq) is always the kept suffix of everything pushed with a greater seq', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 60 }), fc.nat(70), (cap, n, after) => {
        const h = new HitHistory(cap);
        for (let s = 1; s <= n; s++) h.push(hit(s));
        const kept = Array.from({ length: n }, (_, i) => i + 1).slice(Math.max(0, n - cap));
        expect(h.after(after).map((x) => x.seq)).toEqual(kept.filter((s) => s > after));
        expect(h.oldest()?.seq).toBe(kept[0]);
      }),
    );
  });

  it('keeps at most maxBytes of estimated size, the oldest going first', () => {
    const h = new HitHistory(10, 100);
    for (let s = 1; s <= 4; s++) h.push(hit(s), 30);
    expect(h.after(0).map((x) => x.seq)).toEqual([2, 3, 4]);
    expect(h.bytes).toBe(90);
    h.push(hit(5), 70);
    expect(h.after(0).map((x) => x.seq)).toEqual([4, 5]);
    expect(h.bytes).toBe(100);
    h.clear();
    expect(h.bytes).toBe(0);
  });

  it('does not keep a hit bigger than maxBytes on its own, and drops everything older with it', () => {
    const h = new HitHistory(10, 100);
    h.push(hit(1), 10);
    h.push(hit(2), 101);
    expect(h.size).toBe(0);
    expect(h.bytes).toBe(0);
    h.push(hit(3), 10);
    expect(h.after(0).map((x) => x.seq)).toEqual([3]);
  });

  it('never holds more than capacity hits or maxBytes, whatever the sizes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 10 }), fc.integer({ min: 0, max: 200 }), fc.array(fc.nat(120), { maxLength: 60 }), (cap, max, sizes) => {
        const h = new HitHistory(cap, max);
        sizes.forEach((size, i) => h.push(hit(i + 1), size));
        expect(h.size).toBeLessThanOrEqual(cap);
        expect(h.bytes).toBeLessThanOrEqual(max);
        // What is kept is a suffix: the newest hits whose sizes fit.
        const kept = h.after(0).map((x) => x.seq);
        if (kept.length > 0) expect(kept[kept.length - 1]).toBe(sizes.length);
        expect(h.bytes).toBe(kept.reduce((sum, seq) => sum + sizes[seq - 1], 0));
      }),
    );
  });
});
