import type { InjectionParameters } from '../event';
import { hitParams, type PackedItems } from './packed-items';

/** Injections whose last parameters are remembered; past it the longest-remembered is forgotten. */
const MAX_REMEMBERED = 256;

/**
 * Gives the hits of one injection on one shard one shared parameters object while its parameters stay the
 * same. A worker's parameters arrive as a fresh copy in every batch; kept in the history, each copy would
 * hold its own memory (a 1 MiB parameter: 1 MiB per kept hit). The copy that matches is dropped at once.
 */
export class ParametersInterner {
  private readonly last = new Map<string, InjectionParameters>();

  intern(shard: number, injection: string, params: InjectionParameters): InjectionParameters {
    const key = `${shard}/${injection}`;
    const previous = this.last.get(key);
    if (previous !== undefined && (previous === params || sameParameters(previous, params))) return previous;
    this.last.delete(key);
    this.last.set(key, params);
    if (this.last.size > MAX_REMEMBERED) this.last.delete(this.last.keys().next().value as string);
    return params;
  }

  /**
   * The interned parameters of the hits of one batch, looked up once per parameters slot and name of the batch
   * rather than per hit: the hits of a burst share a slot, and a key string and a Map lookup per hit were most of
   * what a worker's hit cost the main thread. `paramsOf(i, name)` is for hit `i`, named `name`.
   */
  batch(shard: number, items: PackedItems): (i: number, name: string) => InjectionParameters {
    const names: (string | undefined)[] = [];
    const interned: InjectionParameters[] = [];
    return (i, name) => {
      const slot = items.meta[i * 3 + 2];
      if (names[slot] !== name) {
        interned[slot] = this.intern(shard, name, hitParams(items, i));
        names[slot] = name;
      }
      return interned[slot];
    };
  }

  clear(): void {
    this.last.clear();
  }
}

function sameParameters(a: InjectionParameters, b: InjectionParameters): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (!Object.prototype.hasOwnProperty.call(b, key) || a[key] !== b[key]) return false;
  return true;
}
