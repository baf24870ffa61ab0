import { scopeProblem } from '../wire';
import { BadQueryError } from './errors';

/** A parsed query string: each parameter with every value it was given, in order. */
export type Query = ReadonlyMap<string, readonly string[]>;

/**
 * Parses a raw query string and refuses parameters the route does not take: a typo such as `?injections=x`
 * on the event stream would otherwise silently give an unfiltered stream.
 */
export function parseQuery(raw: string, allowed: readonly string[]): Query {
  const query = new Map<string, string[]>();
  if (raw === '') return query;
  // URLSearchParams turns bytes that are not UTF-8 (%FF, an encoded surrogate, an overlong form) into U+FFFD,
  // a different name than the one sent; decodeURIComponent refuses them instead.
  try {
    decodeURIComponent(raw);
  } catch {
    throw badQuery(`the query ${JSON.stringify(raw.slice(0, 200))} is not valid percent-encoded UTF-8`);
  }
  for (const [key, value] of new URLSearchParams(raw)) {
    if (!allowed.includes(key)) {
      const takes = allowed.length === 0 ? 'this route takes no query parameters' : `this route takes ${allowed.join(', ')}`;
      throw badQuery(`unknown query parameter ${JSON.stringify(key)}; ${takes}`);
    }
    const values = query.get(key);
    if (values === undefined) query.set(key, [value]);
    else values.push(value);
  }
  return query;
}

/** The one value of a parameter that must not repeat; undefined when absent. */
export function singleValue(query: Query, key: string): string | undefined {
  const values = query.get(key);
  if (values === undefined) return undefined;
  if (values.length > 1) throw badQuery(`query parameter ${JSON.stringify(key)} is given ${values.length} times; give it once`);
  return values[0];
}

/** `true`/`false` in any case (ScyllaDB's Python client sends `True`), or `1`/`0`. */
export function booleanValue(query: Query, key: string, emptyMeans?: boolean): boolean | undefined {
  const value = singleValue(query, key);
  if (value === undefined) return undefined;
  if (value === '' && emptyMeans !== undefined) return emptyMeans;
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return true;
  if (lower === 'false' || lower === '0') return false;
  throw badQuery(`query parameter ${JSON.stringify(key)} must be true or false, got ${JSON.stringify(value)}`);
}

const INTEGER = /^\d{1,16}$/;

/** A non-negative decimal integer of at least `min`. */
export function integerValue(query: Query, key: string, min: number): number | undefined {
  const value = singleValue(query, key);
  if (value === undefined) return undefined;
  return parseInteger(key, value, min);
}

export function parseInteger(key: string, value: string, min: number): number {
  const n = INTEGER.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw badQuery(`query parameter ${JSON.stringify(key)} must be an integer >= ${min}, got ${JSON.stringify(value)}`);
  }
  return n;
}

const DECIMAL = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A decimal number from 0 to 1. */
export function probabilityValue(query: Query, key: string): number | undefined {
  const value = singleValue(query, key);
  if (value === undefined) return undefined;
  const n = DECIMAL.test(value) ? Number(value) : NaN;
  if (!(n >= 0 && n <= 1)) {
    throw badQuery(`query parameter ${JSON.stringify(key)} must be a number from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** An injection scope (our extension): one value, a valid scope. */
export function scopeValue(query: Query, key: string): string | undefined {
  const value = singleValue(query, key);
  if (value === undefined) return undefined;
  const problem = scopeProblem(value);
  if (problem !== undefined) throw badQuery(`query parameter ${JSON.stringify(key)}: ${problem}`);
  return value;
}

export function badQuery(message: string): BadQueryError {
  return new BadQueryError(message);
}
