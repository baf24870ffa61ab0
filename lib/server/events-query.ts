import { INJECTION_TYPES, isInjectionType, type InjectionType } from '../event';
import type { EventsOptions } from '../shards';
import { validateName } from '../injector/validate';
import { CONTROL_CHARACTER, scopeProblem } from '../wire';
import { badQuery, booleanValue, parseInteger, singleValue, type Query } from './query';

/**
 * `injection`, `shard`, `type` and `scope` filter the stream (ScyllaDB's design names the first three as future work);
 * `handler`, `shard_down` and `control` opt in to named events a plain `data:` reader must never see; `lastEventId` is
 * for browsers' EventSource, which cannot send the Last-Event-ID header on its first connection;
 * `access_token` is the bearer token for the same reason; `params` (see params-query.ts) picks the frame.
 */
export const EVENTS_QUERY = ['injection', 'shard', 'type', 'scope', 'handler', 'shard_down', 'control', 'lastEventId', 'access_token', 'params'] as const;

/** Longest Last-Event-ID accepted; ours are `<epoch>-<seq>`, a few dozen characters. */
const MAX_EVENT_ID_LENGTH = 256;

/**
 * Builds the group's events options from the query and the Last-Event-ID header (which wins over the query,
 * since a browser reconnects with the header while its URL still holds the id it first connected with).
 * A filter value that can never match (unknown type, shard out of range, bad name) is a 400, not an empty stream.
 */
export function eventsOptionsFromQuery(
  query: Query,
  shards: readonly { readonly alive: boolean }[],
  lastEventIdHeader: string | undefined,
): EventsOptions {
  const options: EventsOptions = {};
  const names = query.get('injection');
  if (names !== undefined) {
    options.injections = names.map((name) => {
      if (name === '') throw badQuery('query parameter "injection" must not be empty');
      // URLSearchParams already decoded the value once; decoding again would turn "%25" into "%".
      return checkName(name);
    });
  }
  const shardValues = query.get('shard');
  if (shardValues !== undefined) {
    options.shards = shardValues.map((value) => {
      const shard = parseInteger('shard', value, 0);
      if (shard >= shards.length) {
        throw badQuery(`query parameter "shard" is ${shard}, but this server has shards 0 to ${shards.length - 1}`);
      }
      return shard;
    });
    // A stream of shards that are all gone would end at once, and a client would reconnect to it for ever.
    if (options.shards.every((shard) => !shards[shard].alive)) {
      throw badQuery(`query parameter "shard": shard ${options.shards.join(', ')} is down (its worker exited)`);
    }
  }
  const types = query.get('type');
  if (types !== undefined) {
    options.types = types.map((value): InjectionType => {
      if (!isInjectionType(value)) {
        throw badQuery(`query parameter "type" must be one of ${INJECTION_TYPES.join(', ')}, got ${JSON.stringify(value)}`);
      }
      return value;
    });
  }
  const scopes = query.get('scope');
  if (scopes !== undefined) {
    options.scopes = scopes.map((scope) => {
      const problem = scopeProblem(scope);
      if (problem !== undefined) throw badQuery(`query parameter "scope": ${problem}`);
      return scope;
    });
  }
  if (booleanValue(query, 'handler', true) === true) options.handlerEvents = true;
  if (booleanValue(query, 'shard_down', true) === true) options.shardEvents = true;
  if (booleanValue(query, 'control', true) === true) options.controlEvents = true;
  const afterId = lastEventIdHeader !== undefined && lastEventIdHeader !== '' ? lastEventIdHeader : singleValue(query, 'lastEventId');
  if (afterId !== undefined && afterId !== '') options.afterId = checkEventId(afterId);
  return options;
}

function checkName(name: string): string {
  try {
    validateName(name);
    return name;
  } catch (err) {
    throw badQuery(`query parameter "injection": ${(err as Error).message}`);
  }
}

function checkEventId(id: string): string {
  if (id.length > MAX_EVENT_ID_LENGTH || CONTROL_CHARACTER.test(id)) {
    throw badQuery(`Last-Event-ID ${JSON.stringify(id.slice(0, 80))} is not an event id of this server`);
  }
  return id;
}
