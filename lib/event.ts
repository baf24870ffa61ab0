import { FaultlineError } from './errors';
import { formatWireId } from './wire';

// The one wire type both sides share, and its codec. Server, shards and client all go through here, so the
// shape of an event on the wire is defined in exactly one place.

/** The four kinds of injection point, as ScyllaDB names them on the wire. */
export type InjectionType = 'sleep' | 'handler' | 'exception' | 'lambda';

export const INJECTION_TYPES: readonly InjectionType[] = ['sleep', 'handler', 'exception', 'lambda'];

/** Each type's index in INJECTION_TYPES: how a type is kept in a typed array (history, a worker's batch). */
export const INJECTION_TYPE_CODES = Object.freeze(
  Object.fromEntries(INJECTION_TYPES.map((type, code) => [type, code])) as Record<InjectionType, number>,
);

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
  /**
   * true when `params` holds only some of the parameters: the default stream keeps an event's parameters
   * within EVENT_PARAMS_MAX_BYTES. The whole set is on `GET /injection/{name}` and on a stream opened with
   * `?params=full`. Absent when `params` is whole.
   */
  readonly paramsTruncated?: boolean;
  /** The injection scope of the enablement that fired (`enable(name, { scope })`); absent when unscoped. */
  readonly scope?: string;
  readonly [extra: string]: unknown;
}

/** What a hit is made of, before it has an id: the fields of its event that the group keeps. */
export interface HitParts {
  readonly injection: string;
  readonly type: InjectionType;
  readonly shard: number;
  readonly ts: number;
  readonly params: InjectionParameters | undefined;
  /** The scope of the enablement that fired; undefined when unscoped (its event then has no `scope` field). */
  readonly scope: string | undefined;
}

/** A handler's progress, reported only to consumers that ask for it; never mistaken for a hit. */
export type HandlerPhase = 'waiting' | 'released';

export interface HandlerEvent {
  readonly injection: string;
  readonly phase: HandlerPhase;
  readonly shard: number;
  readonly ts: number;
  /** The injection scope of the enablement whose handler this is; absent when unscoped. */
  readonly scope?: string;
}

/**
 * An enablement's end on one shard: its one-shot was taken or its `count` spent (for a handler, once its last
 * handler returned). A disable or a new enable is not one. A ShardGroup turns these into one 'exhausted' control
 * notice once every live shard reported one; they are never streamed as they are.
 */
export interface ExhaustedEvent {
  readonly injection: string;
  readonly phase: 'exhausted';
  readonly shard: number;
  readonly ts: number;
  /** The injection scope of the enablement that ran out; absent when unscoped. */
  readonly scope?: string;
}

/**
 * Handlers of one injection parked in `waitForMessage` on one shard: a row of `GET /parked` (faultline's own),
 * what a consumer that connects after they parked (and so missed their `waiting` notices) reads instead.
 */
export interface ParkedHandlers {
  readonly injection: string;
  readonly shard: number;
  /** How many handlers wait there now (at least 1), of every enablement of the name: unscoped and every scope. */
  readonly waiters: number;
}

export function isInjectionType(value: unknown): value is InjectionType {
  return value === 'sleep' || value === 'handler' || value === 'exception' || value === 'lambda';
}

/** Thrown by {@link decodeEvent} for a `data:` payload that is not an injection event. */
export class EventDecodeError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_EVENT_DECODE' as const;

  constructor(
    message: string,
    readonly data: string,
  ) {
    super(message);
  }
}

/** The fields encodeEvent writes first (or, for `id`, leaves to the SSE `id:` line). */
function isFirstField(key: string): boolean {
  switch (key) {
    case 'injection':
    case 'type':
    case 'shard':
    case 'ts':
    case 'params':
    case 'id':
      return true;
    default:
      return false;
  }
}

// A point is hit many times with the same name, type, shard and parameters, so their JSON is kept rather than
// rebuilt per hit: `heads` by name, then by shard (small integers; others are not kept); parameters by object,
// for frozen objects only (the injector freezes what it was enabled with), since a mutable one could change
// under its cached JSON. `heads` is cleared when it reaches HEADS_LIMIT names, so arbitrary names cannot grow it.
interface EncodedHead {
  readonly type: string;
  /** `{"injection":<name>,"type":"<type>","shard":<shard>` */
  readonly json: string;
  /** `\ndata: <json>,"ts":`, what a hit's frame holds between its id and its ts (see hitFrame). */
  frameMiddle: string | undefined;
}
const HEADS_LIMIT = 1024;
const SHARDS_CACHED = 1024;
const heads = new Map<string, (EncodedHead | undefined)[]>();
const paramsJson = new WeakMap<object, string>();

function encodeHead(injection: string, type: string, shard: number): EncodedHead {
  const json = flatten('{"injection":' + JSON.stringify(injection) + ',"type":"' + type + '","shard":' + shard);
  return { type, json, frameMiddle: undefined };
}

function headOf(injection: string, type: string, shard: number): EncodedHead {
  if (!(Number.isInteger(shard) && shard >= 0 && shard < SHARDS_CACHED)) return encodeHead(injection, type, shard);
  let byShard = heads.get(injection);
  if (byShard === undefined) {
    if (heads.size >= HEADS_LIMIT) heads.clear();
    heads.set(injection, (byShard = []));
  }
  let head = byShard[shard];
  if (head === undefined || head.type !== type) byShard[shard] = head = encodeHead(injection, type, shard);
  return head;
}

function paramsJsonOf(params: InjectionParameters): string {
  if (!Object.isFrozen(params)) return JSON.stringify(params);
  let json = paramsJson.get(params);
  if (json === undefined) {
    json = JSON.stringify(params);
    paramsJson.set(params, json);
  }
  return json;
}

/**
 * Makes a string built by concatenation one flat string. V8 keeps `a + b` as a tree of pieces until something
 * needs the characters; a frame is kept (history) and written many times, and as a tree it is many small objects
 * for the GC to trace and promote. Reading a character flattens it once, in place.
 */
function flatten(s: string): string {
  s.charCodeAt(0);
  return s;
}

/**
 * Encodes an event as the JSON of one SSE `data:` line: ScyllaDB's three fields first, then `ts`, `params`
 * and any other fields. The SSE `id` travels in its own `id:` line, so it is left out of the JSON.
 * JSON.stringify escapes CR and LF, so the result is always a single line, whatever the name holds.
 */
export function encodeEvent(event: InjectionEvent): string {
  let out = headOf(event.injection, event.type, event.shard).json;
  if (event.ts !== undefined) out += ',"ts":' + event.ts;
  if (event.params !== undefined) out += ',"params":' + paramsJsonOf(event.params);
  for (const key in event) {
    if (isFirstField(key)) continue;
    const value = event[key];
    if (value !== undefined) out += ',' + JSON.stringify(key) + ':' + JSON.stringify(value);
  }
  return out + '}';
}

// What a hit's frame ends with after its ts, by (frozen) parameters object; '' when they do not fit the default
// stream as they are (boundEventParams would cut them).
const frameTails = new WeakMap<object, string>();

/**
 * The SSE frame of a hit, built from its parts: exactly `formatSseMessage(encodeEvent(boundEventParams(event)),
 * id)` for the event of `hit`'s parts with id `formatWireId(epoch, seq)`, in one flat
 * string of five pieces, the head and the parameters' part kept. Undefined when the parameters are not frozen
 * or do not fit the default stream: the caller then builds the event and encodes it.
 */
export function hitFrame(epoch: string, seq: number, hit: HitParts): string | undefined {
  const { injection, type, shard, ts, params, scope } = hit;
  let tail = '}\n\n';
  if (params !== undefined) {
    if (!Object.isFrozen(params)) return undefined;
    let kept = frameTails.get(params);
    if (kept === undefined) {
      kept = fitsInEvent(params) ? flatten(',"params":' + paramsJsonOf(params) + '}\n\n') : '';
      frameTails.set(params, kept);
    }
    if (kept === '') return undefined;
    tail = kept;
  }
  // After params, as encodeEvent puts the fields that follow them; only a scoped hit pays for it.
  if (scope !== undefined) tail = tail.slice(0, -3) + ',"scope":' + JSON.stringify(scope) + '}\n\n';
  const head = headOf(injection, type, shard);
  const middle = (head.frameMiddle ??= flatten('\ndata: ' + head.json + ',"ts":'));
  return flatten('id: ' + formatWireId(epoch, seq) + middle + ts + tail);
}

/**
 * Most UTF-8 bytes the `params` of one event take on the default stream. ScyllaDB accepts parameters up to
 * 1 MiB, and its own stream reader (aiohttp's line reader) gives up on a line over 128 KiB, ending every wait on
 * that stream; with this bound and names of at most 1024 characters, an event line stays under 16 KiB.
 */
export const EVENT_PARAMS_MAX_BYTES = 4096;

// Cut parameters by the (frozen) object they were cut from; null: the parameters fit as they are.
const boundedParams = new WeakMap<object, InjectionParameters | null>();

/**
 * The event as the default stream sends it: when its parameters' JSON is over EVENT_PARAMS_MAX_BYTES, `params`
 * keeps the entries that fit, whole and in order, and `paramsTruncated` is true. A value is never cut part way,
 * so every parameter an event shows is exact. Returns `event` itself when nothing needs cutting.
 */
export function boundEventParams(event: InjectionEvent): InjectionEvent {
  const params = event.params;
  if (params === undefined) return event;
  let bounded = Object.isFrozen(params) ? boundedParams.get(params) : undefined;
  if (bounded === undefined) {
    bounded = fitsInEvent(params) ? null : cutParams(params);
    if (Object.isFrozen(params)) boundedParams.set(params, bounded);
  }
  return bounded === null ? event : { ...event, params: bounded, paramsTruncated: true };
}

/**
 * Whether the parameters' JSON is within the bound, building it only when their length cannot tell: each UTF-16
 * unit takes 1 to 6 bytes in JSON (`\\uXXXX` at most), and each entry 4 to 6 more for quotes, colon and comma.
 * A worker's parameters arrive unfrozen, so nothing is cached for them, and a 1 MiB value is never stringified
 * just to learn that it is too long.
 */
function fitsInEvent(params: InjectionParameters): boolean {
  let units = 0;
  let entries = 0;
  for (const key in params) {
    units += key.length + params[key].length;
    entries++;
  }
  if (2 + 6 * (units + entries) <= EVENT_PARAMS_MAX_BYTES) return true;
  if (2 + units + 4 * entries > EVENT_PARAMS_MAX_BYTES) return false;
  return Buffer.byteLength(paramsJsonOf(params)) <= EVENT_PARAMS_MAX_BYTES;
}

function cutParams(params: InjectionParameters): InjectionParameters {
  const kept: Record<string, string> = {};
  let bytes = 2; // {}
  for (const key of Object.keys(params)) {
    // A UTF-16 unit is at least one byte of JSON: a value longer than what is left is skipped unmeasured.
    if (bytes + key.length + params[key].length + 4 > EVENT_PARAMS_MAX_BYTES) continue;
    const entry = Buffer.byteLength(JSON.stringify(key)) + 1 + Buffer.byteLength(JSON.stringify(params[key]));
    const size = entry + (bytes > 2 ? 1 : 0);
    if (bytes + size > EVENT_PARAMS_MAX_BYTES) continue;
    bytes += size;
    Object.defineProperty(kept, key, { value: params[key], enumerable: true, writable: true, configurable: true });
  }
  return Object.freeze(kept);
}

/**
 * Decodes the JSON of one `data:` payload into an event, checking ScyllaDB's three fields. Other fields pass
 * through untouched so a newer server never breaks an older client.
 *
 * Nested objects of an event (its `params`) may be shared, frozen, between events of the same injection: see
 * {@link decodeKnownShape}. Events are read-only by type; the event object itself is the caller's.
 */
export function decodeEvent(data: string, id?: string): InjectionEvent {
  const known = decodeKnownShape(data, id === '' ? undefined : id);
  if (known !== undefined) return known;
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

// ---- the fast path of decodeEvent ------------------------------------------------------------------------------
//
// A client spends most of its time in JSON.parse, yet the events of one injection differ only in `ts` (and the
// SSE id, which is not in the JSON). So data of the shape encodeEvent writes is split where the top-level `ts`
// is: the HEAD before it (`{"injection":...,"type":...,"shard":N`), the digits of `ts`, and the TAIL after them
// (`}`, or `,"params":{...}}` and any other fields). Each distinct head and tail text is parsed with JSON.parse
// once and kept; an event then costs a search, two lookups, a number and one object literal. The nested objects
// of a kept tail are frozen and shared by every event with that tail.
//
// A head is kept only if JSON.parse of it (closed with `}`) gives exactly `injection`, `type` and `shard`, in that
// order, with valid values; a tail only if it adds at least one field, repeats none of those four and nests at
// most one level. Because a head is a complete prefix of members ending in a value, the whole data then parses to
// exactly the head's fields, `ts`, then the tail's. `,"ts":` cannot occur inside a JSON string (its quotes would
// be escaped), and a nested `ts` leaves a head that does not parse. Anything else (no `ts`, a `ts` that is not
// plain digits, another key order, whitespace) returns undefined and takes the JSON.parse path, so the result,
// and every error, is what JSON.parse and the checks give.

type MutableEvent = { -readonly [K in keyof InjectionEvent]: InjectionEvent[K] };

interface EventHead {
  readonly injection: string;
  readonly type: InjectionType;
  readonly shard: number;
  /** The tail most recently seen after this head: compared first, to skip the tails lookup. */
  lastTailText: string;
  lastTail: EventTail;
}

interface EventTail {
  /** The tail is exactly `,"params":<value>}`: events get one object shape. */
  readonly onlyParams: boolean;
  readonly params: unknown;
  /** The tail's fields, frozen, nested objects frozen too. */
  readonly fields: Readonly<Record<string, unknown>>;
}

const TS_FIELD = ',"ts":';
const NO_TAIL: EventTail = Object.freeze({ onlyParams: false, params: undefined, fields: Object.freeze({}) });
/** Heads and tails are kept by their text, up to this many of each (then the map is cleared) and this long. */
const KEPT_LIMIT = 256;
const KEPT_LENGTH = 1024;
/** null: a text the fast path does not take. */
const keptHeads = new Map<string, EventHead | null>();
const keptTails = new Map<string, EventTail | null>();

// Heads recently decoded, in slots by a hash of their characters. A Map lookup of the head, a new (sliced) string
// for every event, cost more than the rest of decoding (~300 of ~450 ns); this hash and a comparison ~60 ns. A
// slot is compared in full before it is used, so a collision costs a lookup in keptHeads, never a wrong event.
const HEAD_SLOTS = 64;
const slotTexts: string[] = new Array<string>(HEAD_SLOTS).fill('');
const slotHeads: (EventHead | undefined)[] = new Array<EventHead | undefined>(HEAD_SLOTS).fill(undefined);

/**
 * A hash of what tells heads apart: the head's length, the last characters of the name (found by the `","type"`
 * after it) and of the shard. Heads it cannot tell apart share a slot and take turns; equality decides.
 */
function headSlot(data: string, tsAt: number): number {
  const nameEnd = data.indexOf('","type"', 14);
  let h = Math.imul(tsAt, 31) + nameEnd;
  for (let i = nameEnd - 3; i < nameEnd; i++) h = Math.imul(h, 31) + data.charCodeAt(i);
  h = Math.imul(h, 31) + data.charCodeAt(tsAt - 1);
  h = Math.imul(h, 31) + data.charCodeAt(tsAt - 2);
  return (h ^ (h >>> 11)) & (HEAD_SLOTS - 1);
}

/**
 * The event `data` holds, with `id` (set last, as decodeEvent sets it), if it has the shape described above;
 * otherwise undefined. The id is in the literal rather than added after: adding it changed the object's shape.
 */
function decodeKnownShape(data: string, id: string | undefined): MutableEvent | undefined {
  const tsAt = data.indexOf(TS_FIELD);
  if (tsAt < 0 || tsAt > KEPT_LENGTH) return undefined;
  const headText = data.slice(0, tsAt);
  const slot = headSlot(data, tsAt);
  let head: EventHead | null | undefined = headText === slotTexts[slot] ? slotHeads[slot] : undefined;
  if (head === undefined) {
    head = keptHeads.get(headText);
    if (head === undefined) head = keep(keptHeads, headText, parseHead(headText));
    if (head === null) return undefined;
    slotTexts[slot] = headText;
    slotHeads[slot] = head;
  }
  const tsStart = tsAt + TS_FIELD.length;
  const tsEnd = digitsEnd(data, tsStart);
  if (tsEnd < 0) return undefined;
  const ts = digitsValue(data, tsStart, tsEnd);
  let tail: EventTail | null | undefined;
  if (tsEnd === data.length - 1 && data.charCodeAt(tsEnd) === 125) {
    tail = NO_TAIL;
  } else {
    const tailText = data.slice(tsEnd);
    if (tailText === head.lastTailText) {
      tail = head.lastTail;
    } else if (data.charCodeAt(tsEnd) === 44 && tailText.length <= KEPT_LENGTH) {
      tail = keptTails.get(tailText);
      if (tail === undefined) tail = keep(keptTails, tailText, parseTail(tailText));
      if (tail !== null) {
        head.lastTailText = tailText;
        head.lastTail = tail;
      }
    }
  }
  if (tail === undefined || tail === null) return undefined;
  const { injection, type, shard } = head;
  if (tail.onlyParams) {
    const params = tail.params as InjectionParameters;
    return id === undefined ? { injection, type, shard, ts, params } : { injection, type, shard, ts, params, id };
  }
  if (tail === NO_TAIL) return id === undefined ? { injection, type, shard, ts } : { injection, type, shard, ts, id };
  const event: MutableEvent = Object.assign({ injection, type, shard, ts }, tail.fields);
  if (id !== undefined) event.id = id;
  return event;
}

function keep<T>(map: Map<string, T | null>, text: string, value: T | null): T | null {
  if (map.size >= KEPT_LIMIT) map.clear();
  map.set(text, value);
  return value;
}

function parseHead(text: string): EventHead | null {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(text + '}') as Record<string, unknown>;
  } catch {
    return null;
  }
  const keys = typeof o === 'object' && o !== null ? Object.keys(o) : [];
  if (keys.length !== 3 || keys[0] !== 'injection' || keys[1] !== 'type' || keys[2] !== 'shard') return null;
  const { injection, type, shard } = o;
  if (typeof injection !== 'string' || !isInjectionType(type)) return null;
  if (typeof shard !== 'number' || !Number.isInteger(shard) || shard < 0) return null;
  return { injection, type, shard, lastTailText: '', lastTail: NO_TAIL };
}

/**
 * The end of a JSON number at `p` that is plain digits (no sign, fraction or exponent, no leading zero, at most
 * 15 digits so it is exact) followed by ',' or '}'; -1 for anything else.
 */
function digitsEnd(data: string, p: number): number {
  let end = p;
  while (end - p <= 15) {
    const c = data.charCodeAt(end);
    if (c >= 48 && c <= 57) {
      end++;
      continue;
    }
    if (end === p || (end - p > 1 && data.charCodeAt(p) === 48)) return -1;
    return c === 44 || c === 125 ? end : -1;
  }
  return -1;
}

function digitsValue(data: string, start: number, end: number): number {
  let n = 0;
  for (let i = start; i < end; i++) n = n * 10 + (data.charCodeAt(i) - 48);
  return n;
}

/** Parses a tail (`,"k":v...}`) once; null when the fast path must not take it. */
function parseTail(text: string): EventTail | null {
  let fields: Record<string, unknown>;
  try {
    fields = JSON.parse('{' + text.slice(1)) as Record<string, unknown>;
  } catch {
    return null;
  }
  let count = 0;
  for (const key in fields) {
    // A repeated head field would override it (JSON.parse keeps the last); `__proto__` would not copy as data.
    if (key === 'injection' || key === 'type' || key === 'shard' || key === 'ts' || key === '__proto__') return null;
    const value = fields[key];
    if (typeof value === 'object' && value !== null) {
      for (const inner of Object.values(value)) if (typeof inner === 'object' && inner !== null) return null;
      Object.freeze(value);
    }
    count++;
  }
  if (count === 0) return null; // `,}`: JSON.parse would refuse the whole
  const onlyParams = count === 1 && 'params' in fields;
  return Object.freeze({ onlyParams, params: fields.params, fields: Object.freeze(fields) });
}

/** Formats one SSE message: an optional `event:` name, an optional `id:`, and one `data:` line (one flat string). */
export function formatSseMessage(data: string, id?: string, event?: string): string {
  let out = '';
  if (event !== undefined) out += 'event: ' + event + '\n';
  if (id !== undefined) out += 'id: ' + id + '\n';
  return flatten(out + 'data: ' + data + '\n\n');
}

/**
 * What a control notice says happened. 'exhausted': the injection's one-shot or `count` finished on every live
 * shard (sent once per enablement, after the last shard's final hit; a disable never sends it).
 */
export type ControlOp = 'enabled' | 'disabled' | 'disabled-all' | 'messaged' | 'exhausted';

/** A control action every live shard applied: `event: control` on a faultline server's stream. Never from ScyllaDB. */
export interface ControlNotice {
  readonly op: ControlOp;
  /** null for 'disabled-all'. */
  readonly injection: string | null;
  /** The options it was enabled with ('enabled' only). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** null: every shard (a broadcast). */
  readonly shard: number | null;
  /**
   * 'disabled', 'messaged': the one scope it applied to; absent: every enablement of the name. 'exhausted': the
   * scope of the enablement that ran out; absent: the unscoped one. ('enabled' carries its scope in `options`.)
   */
  readonly scope?: string;
  /** Server epoch milliseconds. */
  readonly ts: number;
}

/** The scope a notice is about: undefined for a change of the unscoped enablement, or of every enablement. */
export function noticeScope(notice: ControlNotice): string | undefined {
  return notice.scope ?? (typeof notice.options?.scope === 'string' ? notice.options.scope : undefined);
}
