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
});
