import { EVENT_PARAMS_MAX_BYTES } from '../event';
import { badQuery, singleValue, type Query } from './query';

/** How much of an injection's parameters the events of one stream carry. */
export type ParamsMode = 'bounded' | 'full';

/**
 * `params=full` asks for every parameter in every event; the default, `params=bounded`, keeps each event's
 * parameters within EVENT_PARAMS_MAX_BYTES so that a reader with a line limit (ScyllaDB's) is never starved.
 */
export function paramsModeFromQuery(query: Query): ParamsMode {
  const value = singleValue(query, 'params');
  if (value === undefined || value === 'bounded') return 'bounded';
  if (value === 'full') return 'full';
  throw badQuery(
    `query parameter "params" must be "full" (every parameter in every event) or "bounded" (the default: at most ${EVENT_PARAMS_MAX_BYTES} bytes of them), got ${JSON.stringify(value)}`,
  );
}
