import type { InjectionParameters } from '../event';

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
