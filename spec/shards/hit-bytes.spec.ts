import { hitBytes, HitBytesMemo } from '../../lib/shards/hit-bytes';

describe('hitBytes', () => {
  test('a fixed overhead plus twice the characters of the name and of every key and value', () => {
    expect(hitBytes('x', undefined)).toBe(256 + 2);
    expect(hitBytes('x', {})).toBe(256 + 2);
    expect(hitBytes('name', { k: 'v'.repeat(1000), kk: '' })).toBe(256 + 2 * (4 + 1 + 1000 + 2));
  });

  test('a 1 MiB parameter costs about 2 MiB, so the default 64 MiB keeps about 32 such hits', () => {
    const bytes = hitBytes('demo_lambda', { blob: 'a'.repeat(1024 * 1024) });
    expect(Math.floor((64 * 1024 * 1024) / bytes)).toBe(31);
  });
});

describe('HitBytesMemo', () => {
  test('gives hitBytes, remembering the last frozen parameters by object', () => {
    const memo = new HitBytesMemo();
    const frozen = Object.freeze({ k: 'v' });
    expect(memo.of('x', frozen)).toBe(hitBytes('x', frozen));
    expect(memo.of('x', frozen)).toBe(hitBytes('x', frozen));
    expect(memo.of('xy', frozen)).toBe(hitBytes('xy', frozen));
    expect(memo.of('xy', undefined)).toBe(hitBytes('xy', undefined));
  });

  test('counts a mutable parameters object again each time: it may have changed', () => {
    const memo = new HitBytesMemo();
    const params: Record<string, string> = { k: 'v' };
    expect(memo.of('x', params)).toBe(256 + 2 * 3);
    params.k = 'v'.repeat(10);
    expect(memo.of('x', params)).toBe(256 + 2 * 12);
  });
});
