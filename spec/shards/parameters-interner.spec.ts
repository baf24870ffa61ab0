import type { InjectionEvent } from '../../lib/event';
import { packItems } from '../../lib/shards/packed-items';
import { ParametersInterner } from '../../lib/shards/parameters-interner';

describe('ParametersInterner', () => {
  test('equal parameters of one injection on one shard come back as the first object seen', () => {
    const interner = new ParametersInterner();
    const first = { a: 'x'.repeat(1000), b: '1' };
    expect(interner.intern(1, 'p', first)).toBe(first);
    expect(interner.intern(1, 'p', { b: '1', a: 'x'.repeat(1000) })).toBe(first);
  });

  test('different values, keys, injection or shard are not merged; a change replaces what is remembered', () => {
    const interner = new ParametersInterner();
    const first = { a: '1' };
    interner.intern(1, 'p', first);
    const changed = { a: '2' };
    expect(interner.intern(1, 'p', changed)).toBe(changed);
    expect(interner.intern(1, 'p', { a: '2' })).toBe(changed);
    const more = { a: '2', b: '' };
    expect(interner.intern(1, 'p', more)).toBe(more);
    const otherShard = { a: '2', b: '' };
    expect(interner.intern(2, 'p', otherShard)).toBe(otherShard);
    const otherName = { a: '2', b: '' };
    expect(interner.intern(1, 'q', otherName)).toBe(otherName);
    // A key present in both with undefined-looking content is still compared as an own key.
    const proto = JSON.parse('{"__proto__":"x"}') as Record<string, string>;
    expect(interner.intern(1, 'r', proto)).toBe(proto);
    const plain = { toString: 'x' };
    expect(interner.intern(1, 'r', plain)).toBe(plain);
  });

  test('remembers a bounded number of injections, and nothing after clear()', () => {
    const interner = new ParametersInterner();
    const first = { a: '1' };
    interner.intern(0, 'first', first);
    for (let i = 0; i < 256; i++) interner.intern(0, `n${i}`, { a: '1' });
    const again = { a: '1' };
    expect(interner.intern(0, 'first', again)).toBe(again);
    interner.clear();
    const afterClear = { a: '1' };
    expect(interner.intern(0, 'first', afterClear)).toBe(afterClear);
  });

  test('a batch interns once per parameters slot and name, and gives every hit what intern() would', () => {
    const interner = new ParametersInterner();
    const earlier = Object.freeze({ k: 'v' });
    interner.intern(3, 'a', earlier);
    const shared = { k: 'v' };
    const hit = (injection: string, params?: Record<string, string>): InjectionEvent => ({ injection, type: 'lambda', shard: 3, ts: 1, params });
    // 'a' and 'b' share one parameters object (one slot); 'c' and 'd' have none (the shared empty slot).
    const items = packItems([hit('a', shared), hit('b', shared), hit('a', shared), hit('c'), hit('d'), hit('c')]);
    const intern = jest.spyOn(interner, 'intern');
    const paramsOf = interner.batch(3, items);
    const names = ['a', 'b', 'a', 'c', 'd', 'c'];
    const got = names.map((name, i) => paramsOf(i, name));
    expect(got[0]).toBe(earlier);
    expect(got[2]).toBe(earlier);
    expect(got[1]).toEqual({ k: 'v' });
    expect(Object.isFrozen(got[1])).toBe(true);
    expect(got[3]).toEqual({});
    expect(got[5]).toBe(got[3]);
    // Once per change of name on a slot: a, b, a on one slot, c, d, c on the other.
    expect(intern).toHaveBeenCalledTimes(6);
    expect(paramsOf(0, 'a')).toBe(earlier);
    expect(intern).toHaveBeenCalledTimes(6);
    const copy = { k: 'v' };
    const again = interner.batch(3, packItems([hit('b', copy), hit('b', copy)]));
    expect(again(0, 'b')).toBe(got[1]);
    expect(again(1, 'b')).toBe(got[1]);
    expect(intern).toHaveBeenCalledTimes(7);
  });
});
