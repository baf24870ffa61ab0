/**
 * mulberry32: a tiny seeded generator. `probability` draws from it so that a failing run can be replayed by
 * enabling with the seed that `get(name).seed` reported.
 */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * The generator seed a shard uses for an injection enabled with `seed`. A ShardGroup enables every shard with
 * the same seed (so one number replays the whole run); without this mix, every shard would draw the same
 * sequence and fire on the same reaches, in lockstep. Shard 0 uses the seed as it is.
 */
export function shardSeed(seed: number, shard: number): number {
  return shard === 0 ? seed >>> 0 : (seed ^ Math.imul(shard, 0x9e3779b9)) >>> 0;
}

export function randomSeed(): number {
  return (Math.random() * 0x100000000) >>> 0;
}
