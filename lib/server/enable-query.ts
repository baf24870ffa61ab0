import { SCALAR_OPTION_NAMES, scalarOption, type EnableOptions } from '../enable-options';
import { booleanValue, integerValue, parseQuery, probabilityValue, scopeValue } from './query';

/** `one_shot` is ScyllaDB's; the others (`scope` among them) are ours (a ScyllaDB client never sends them). */
export const ENABLE_QUERY = SCALAR_OPTION_NAMES.map((key) => scalarOption(key).query);

/** The enable options a `POST /injection/{name}` query asks for (parameters come from the body). */
export function enableOptionsFromQuery(raw: string): EnableOptions {
  const query = parseQuery(raw, ENABLE_QUERY);
  const options: Record<string, number | boolean | string> = {};
  for (const key of SCALAR_OPTION_NAMES) {
    const spec = scalarOption(key);
    let value: number | boolean | string | undefined;
    switch (spec.kind) {
      case 'boolean':
        value = booleanValue(query, spec.query);
        break;
      case 'integer':
        value = integerValue(query, spec.query, spec.min ?? 0);
        break;
      case 'fraction':
        value = probabilityValue(query, spec.query);
        break;
      case 'string':
        value = scopeValue(query, spec.query);
        break;
    }
    if (value !== undefined) options[key] = value;
  }
  return options;
}
