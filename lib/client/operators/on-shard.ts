import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { InjectionEvent } from '../../event';
import { toSet } from './match';

/** Only the events of one shard, or of any of several. */
export function onShard<T extends InjectionEvent>(shards: number | readonly number[]): MonoTypeOperatorFunction<T> {
  const wanted = toSet(shards, 'onShard', (n) => Number.isInteger(n) && n >= 0);
  return filter((event) => wanted.has(event.shard));
}
