import { SCALAR_OPTION_NAMES, scalarOption, type EnableOptions } from '../enable-options';
import { booleanValue, integerValue, parseQuery, probabilityValue } from './query';

/** `one_shot` is ScyllaDB's; the others are ours (a ScyllaDB client never sends them). */
export const ENABLE_QUERY = SCALAR_OPTION_NAMES.map((key) => scalarOption(key).query);

/** The enable options a `POST /injection/{name}` query asks for (parameters come from the body). */
export function enableOptionsFromQuery(raw: string): EnableOptions {
  const query = parseQuery(raw, ENABLE_QUERY);
  const options: Record<string, number | boolean> = {};
  for (const key of SCALAR_OPTION_NAMES) {
    const spec = scalarOption(key);
    const value =
      spec.kind === 'boolean'
        ? booleanValue(query, spec.query)
        : spec.kind === 'integer'
          ? integerValue(query, spec.query, spec.min ?? 0)
          : probabilityValue(query, spec.query);
    if (value !== undefined) options[key] = value;
  }
  return options;
}
