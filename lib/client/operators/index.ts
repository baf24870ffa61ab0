export { allOf } from './all-of';
export { firstHit } from './first-hit';
export { firstHits } from './first-hits';
export { hits } from './hits';
export { ofType } from './of-type';
export { onNode } from './on-node';
export { onShard } from './on-shard';
export { since } from './since';
export type { HitMatcher } from './match';
