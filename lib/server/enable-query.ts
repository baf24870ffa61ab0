import type { EnableOptions } from '../injector';
import { booleanValue, integerValue, parseQuery, probabilityValue } from './query';

/** `one_shot` is ScyllaDB's; `count`, `skip`, `probability` and `seed` are ours (a ScyllaDB client never sends them). */
export const ENABLE_QUERY = ['one_shot', 'count', 'skip', 'probability', 'seed'] as const;

/** The enable options a `POST /injection/{name}` query asks for (parameters come from the body). */
export function enableOptionsFromQuery(raw: string): EnableOptions {
  const query = parseQuery(raw, ENABLE_QUERY);
  const options: EnableOptions = {};
  const oneShot = booleanValue(query, 'one_shot');
  if (oneShot !== undefined) options.oneShot = oneShot;
  const count = integerValue(query, 'count', 1);
  if (count !== undefined) options.count = count;
  const skip = integerValue(query, 'skip', 0);
  if (skip !== undefined) options.skip = skip;
  const probability = probabilityValue(query, 'probability');
  if (probability !== undefined) options.probability = probability;
  const seed = integerValue(query, 'seed', 0);
  if (seed !== undefined) options.seed = seed;
  return options;
}
