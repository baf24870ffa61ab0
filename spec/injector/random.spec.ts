import { randomSeed, seededRandom, shardSeed } from '../../lib/injector/random';

describe('seededRandom', () => {
  test('is mulberry32: the sequence for a seed is pinned, so a seed reported today replays tomorrow', () => {
    const r = seededRandom(1);
    expect([r(), r(), r()]).toEqual([0.6270739405881613, 0.002735721180215478, 0.5274470399599522]);
  });

  test('the same seed gives the same sequence; another seed another one', () => {
    const draw = (seed: number): number[] => {
      const r = seededRandom(seed);
      return Array.from({ length: 50 }, () => r());
    };
    expect(draw(42)).toEqual(draw(42));
    expect(draw(42)).not.toEqual(draw(43));
  });

  test('draws lie in [0, 1) and spread over it', () => {
    const r = seededRandom(2024);
    const draws = Array.from({ length: 10_000 }, () => r());
    expect(Math.min(...draws)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...draws)).toBeLessThan(1);
    const belowHalf = draws.filter((d) => d < 0.5).length;
    expect(belowHalf).toBeGreaterThan(4_500);
    expect(belowHalf).toBeLessThan(5_500);
  });

  test('the extremes of the 32-bit seed range work', () => {
    expect(seededRandom(0)()).toBe(0.26642920868471265);
    expect(seededRandom(0xffffffff)()).toBe(0.8964226141106337);
  });
});

describe('randomSeed', () => {
  test('is a 32-bit unsigned integer, and not always the same', () => {
    const seeds = Array.from({ length: 20 }, () => randomSeed());
    for (const s of seeds) {
      expect(Number.isInteger(s)).toBe(true);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(0xffffffff);
    }
    expect(new Set(seeds).size).toBeGreaterThan(1);
  });
});

describe('shardSeed', () => {
  const draws = (seed: number, n = 32): number[] => {
    const r = seededRandom(seed);
    return Array.from({ length: n }, () => r());
  };

  test('shard 0 uses the seed as it is', () => {
    expect(shardSeed(1234, 0)).toBe(1234);
  });

  test('each shard gets its own sequence from one group seed, the same on every replay', () => {
    const perShard = [0, 1, 2, 3].map((shard) => draws(shardSeed(99, shard)));
    expect(new Set(perShard.map((d) => d.join())).size).toBe(4);
    expect(draws(shardSeed(99, 2))).toEqual(perShard[2]);
  });

  test('stays a 32-bit unsigned seed', () => {
    for (const seed of [0, 1, 0xffffffff]) {
      for (const shard of [1, 7, 1000]) {
        const s = shardSeed(seed, shard);
        expect(Number.isInteger(s) && s >= 0 && s <= 0xffffffff).toBe(true);
      }
    }
  });
});
