import { FaultlineError } from './errors';

// The one wire type both sides share, and its codec. Server, shards and client all go through here, so the
// shape of an event on the wire is defined in exactly one place.

/** The four kinds of injection point, as ScyllaDB names them on the wire. */
export type InjectionType = 'sleep' | 'handler' | 'exception' | 'lambda';

export const INJECTION_TYPES: readonly InjectionType[] = ['sleep', 'handler', 'exception', 'lambda'];

/** Parameters an injection was enabled with: string keys to string values, as in ScyllaDB. */
export type InjectionParameters = Readonly<Record<string, string>>;

/**
 * One hit of an enabled injection point.
 *
 * `injection`, `type` and `shard` are ScyllaDB's fields and are always present and always first on the wire.
 * Everything else is additive: a ScyllaDB node sends none of it, so a consumer must treat it as optional.
 */
export interface InjectionEvent {
  readonly injection: string;
  readonly type: InjectionType;
  readonly shard: number;
  /** Epoch milliseconds of the hit, taken on the shard that hit it. */
  readonly ts?: number;
  /** The parameters the injection was enabled with (`{}` when none); a ScyllaDB node sends none. */
  readonly params?: InjectionParameters;
  /** The server's global, increasing event id (the SSE `id:`); set on the main thread, absent from ScyllaDB. */
  readonly id?: string;
  /** Which node the event came from; set by a client that watches several nodes. */
  readonly node?: string;
  readonly [extra: string]: unknown;
}

/** A handler's progress, reported only to consumers that ask for it; never mistaken for a hit. */
export type HandlerPhase = 'waiting' | 'released';

export interface HandlerEvent {
  readonly injection: string;
  readonly phase: HandlerPhase;
  readonly shard: number;
  readonly ts: number;
}

export function isInjectionType(value: unknown): value is InjectionType {
  return value === 'sleep' || value === 'handler' || value === 'exception' || value === 'lambda';
}

/** Thrown by {@link decodeEvent} for a `data:` payload that is not an injection event. */
export class EventDecodeError extends FaultlineError {
  constructor(
    message: string,
    readonly data: string,
  ) {
    super('ERR_FAULTLINE_EVENT_DECODE', message);
  }
}

const FIRST_FIELDS = new Set(['injection', 'type', 'shard', 'ts', 'params', 'id']);

/**
 * Encodes an event as the JSON of one SSE `data:` line: ScyllaDB's three fields first, then `ts`, `params`
 * and any other fields. The SSE `id` travels in its own `id:` line, so it is left out of the JSON.
 * JSON.stringify escapes CR and LF, so the result is always a single line, whatever the name holds.
 */
export function encodeEvent(event: InjectionEvent): string {
  let out =
    '{"injection":' + JSON.stringify(event.injection) + ',"type":"' + event.type + '","shard":' + event.shard;
  if (event.ts !== undefined) out += ',"ts":' + event.ts;
  if (event.params !== undefined) out += ',"params":' + JSON.stringify(event.params);
  for (const key in event) {
    if (FIRST_FIELDS.has(key)) continue;
    const value = event[key];
    if (value !== undefined) out += ',' + JSON.stringify(key) + ':' + JSON.stringify(value);
  }
  return out + '}';
}

/**
 * Decodes the JSON of one `data:` payload into an event, checking ScyllaDB's three fields. Other fields pass
 * through untouched so a newer server never breaks an older client.
 */
export function decodeEvent(data: string, id?: string): InjectionEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch (err) {
    throw new EventDecodeError(`event data is not JSON: ${(err as Error).message}`, data);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EventDecodeError('event data is not a JSON object', data);
  }
  const o = parsed as Record<string, unknown>;
  if (typeof o.injection !== 'string') throw new EventDecodeError('event has no string "injection"', data);
  if (!isInjectionType(o.type)) throw new EventDecodeError(`event has an unknown "type": ${String(o.type)}`, data);
  if (typeof o.shard !== 'number' || !Number.isInteger(o.shard) || o.shard < 0) {
    throw new EventDecodeError('event has no non-negative integer "shard"', data);
  }
  if (id !== undefined && id !== '') o.id = id;
  return o as InjectionEvent;
}

/** Formats one SSE message: an optional `event:` name, an optional `id:`, and one `data:` line. */
export function formatSseMessage(data: string, id?: string, event?: string): string {
  let out = '';
  if (event !== undefined) out += 'event: ' + event + '\n';
  if (id !== undefined) out += 'id: ' + id + '\n';
  return out + 'data: ' + data + '\n\n';
}
