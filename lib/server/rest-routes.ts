import type { IncomingMessage, ServerResponse } from 'node:http';
import { InjectionsOffError, InvalidInjectionError } from '../injector';
import { ShardGroupClosedError, type BroadcastResult, type ShardGroup } from '../shards';
import { readBody } from './body';
import { enableOptionsFromQuery } from './enable-query';
import { DisconnectNotSupportedError, GroupClosedError, InvalidEnableError, SwitchedOffError } from './errors';
import { parametersFromBody } from './parameters';
import { parseQuery, scopeValue, type Query } from './query';
import { formatWireId, POSITION_HEADER } from '../wire';
import { sendEmpty, sendJson } from './responses';
import { toScyllaInfo } from './scylla-state';

// Each answers only after the group's broadcast resolved, i.e. after every live shard applied it.

/** GET /injection: names enabled on any shard. */
export async function listInjections(res: ServerResponse, group: ShardGroup, rawQuery: string): Promise<void> {
  parseQuery(rawQuery, []);
  sendJson(res, await asHttp(group.enabledOnAll()));
}

/** DELETE /injection: disable every injection on every shard. */
export async function disableAll(res: ServerResponse, group: ShardGroup, rawQuery: string): Promise<void> {
  parseQuery(rawQuery, []);
  const result = await asHttp(group.disableAllOnAll());
  sendBroadcast(res, result, position(group));
}

/**
 * GET /injection/{name}: ScyllaDB's array, one element per shard, indexed by shard; of the unscoped enablement
 * (with the scopes it is enabled in besides, as `scopes`), or with `?scope=` (ours) of that scope's.
 */
export async function readInjection(res: ServerResponse, group: ShardGroup, name: string, rawQuery: string): Promise<void> {
  const states = await asHttp(group.stateOnAll(name, scopeOf(rawQuery)));
  sendJson(res, states.map(toScyllaInfo));
}

/** POST /injection/{name}?one_shot=...: enable on every shard, with the body's parameters. */
export async function enableInjection(
  req: IncomingMessage,
  res: ServerResponse,
  group: ShardGroup,
  name: string,
  rawQuery: string,
): Promise<void> {
  const options = enableOptionsFromQuery(rawQuery);
  const parameters = parametersFromBody(await readBody(req));
  if (parameters !== undefined) options.parameters = parameters;
  // Read before the broadcast: shard 0 applies it synchronously inside enableOnAll, so every hit after this
  // position is of the new enablement (or of another name).
  const armedAt = position(group);
  sendBroadcast(res, await asHttp(group.enableOnAll(name, options)), armedAt);
}

/**
 * DELETE /injection/{name}: disable on every shard (releasing its waiters), every enablement of the name or with
 * `?scope=` (ours) that scope's only; a name not enabled is fine.
 */
export async function disableInjection(res: ServerResponse, group: ShardGroup, name: string, rawQuery: string): Promise<void> {
  const result = await asHttp(group.disableOnAll(name, scopeOf(rawQuery)));
  // Read after the broadcast: every shard flushed its hits before it acknowledged, so every hit of the
  // disabled enablement is at or before this position.
  sendBroadcast(res, result, position(group));
}

/**
 * POST /injection/{name}/message: one message to its handlers on every shard, of every scope or with `?scope=`
 * (ours) of that scope; a no-op when not enabled.
 */
export async function messageInjection(res: ServerResponse, group: ShardGroup, name: string, rawQuery: string): Promise<void> {
  sendBroadcast(res, await asHttp(group.messageOnAll(name, scopeOf(rawQuery))));
}

/**
 * GET /injection/{name}/enters: hits of the current enablement summed over shards, a bare number, 0 when
 * not enabled (ScyllaDB's polling route, counted exactly as ScyllaDB counts).
 */
export async function enterCount(res: ServerResponse, group: ShardGroup, name: string, rawQuery: string): Promise<void> {
  sendJson(res, await asHttp(group.entersOnAll(name, scopeOf(rawQuery))));
}

/** GET /lifetime_enters/{name}: hits over the server's life summed over shards, never reset (faultline's own). */
export async function lifetimeEnterCount(res: ServerResponse, group: ShardGroup, name: string, rawQuery: string): Promise<void> {
  parseQuery(rawQuery, []);
  sendJson(res, await asHttp(group.lifetimeEntersOnAll(name)));
}

/**
 * POST /disconnect/{ip}: ScyllaDB drops its RPC connections to that node. faultline has no such connections,
 * and a 200 would let a test believe a partition happened, so it says so in a 501.
 */
export function refuseDisconnect(rawAddress: string): never {
  let address = rawAddress;
  try {
    address = decodeURIComponent(rawAddress);
  } catch {
    // shown as sent
  }
  throw new DisconnectNotSupportedError(
    `faultline does not simulate network disconnects (asked to disconnect from ${JSON.stringify(address.slice(0, 256))}); ` +
      'use an injection point in the code that talks to that node instead',
  );
}

/** GET /lifetime_enters: every name enabled now or hit before, with its hits over the server's life (faultline's own). */
export async function lifetimeEnterCounts(res: ServerResponse, group: ShardGroup, rawQuery: string): Promise<void> {
  parseQuery(rawQuery, []);
  sendJson(res, await asHttp(group.lifetimeEntersAllOnAll()));
}

/** GET /parked: handlers waiting for a message now, per name and shard (faultline's own). */
export async function parkedHandlers(res: ServerResponse, group: ShardGroup, rawQuery: string): Promise<void> {
  parseQuery(rawQuery, []);
  sendJson(res, await asHttp(group.parkedOnAll()));
}

/**
 * ScyllaDB answers an empty 200. A shard that did not acknowledge in time (a worker that died) is named in a
 * header, which ScyllaDB clients ignore, so the answer still says "applied everywhere that is alive"; so is
 * the stream position of an enable or a disable.
 */
function sendBroadcast(res: ServerResponse, result: BroadcastResult, at?: string): void {
  const headers: Record<string, string> = {};
  if (result.down.length > 0) headers['faultline-shards-down'] = result.down.join(',');
  if (at !== undefined) headers[POSITION_HEADER] = at;
  sendEmpty(res, headers);
}

/** The `?scope=` of a route that takes one (ours; a ScyllaDB client sends none): which enablement it means. */
function scopeOf(rawQuery: string): { scope?: string } {
  const query: Query = parseQuery(rawQuery, ['scope']);
  const scope = scopeValue(query, 'scope');
  return scope === undefined ? {} : { scope };
}

/** The id of the group's last hit, `<epoch>-0` before the first: what `Last-Event-ID` resumes after. */
function position(group: ShardGroup): string {
  return group.lastId ?? formatWireId(group.epoch, 0);
}

/** The group's refusals become the statuses a client can act on; anything else (a bug) stays a 500. */
async function asHttp<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof InjectionsOffError) throw new SwitchedOffError(err.message);
    if (err instanceof InvalidInjectionError) throw new InvalidEnableError(err.message);
    if (err instanceof ShardGroupClosedError) throw new GroupClosedError(err.message);
    throw err;
  }
}
