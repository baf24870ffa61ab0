import { hitBytes } from '../../lib/shards/hit-bytes';

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
