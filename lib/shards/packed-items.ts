import {
  INJECTION_TYPE_CODES,
  INJECTION_TYPES,
  type ExhaustedEvent,
  type HandlerEvent,
  type InjectionEvent,
  type InjectionParameters,
  type InjectionType,
} from '../event';

// How a worker's hits cross to the main thread: in columns, not as one object per hit. Cloning an object per
// hit made the main thread spend most of its time deserialising and collecting garbage; typed arrays are
// copied as bytes, a name or a parameters object that repeats in a batch is sent once, and the main thread
// builds each event with one object literal (one hidden class) as it ingests it.

/** What a shard reports that is not a hit: a handler's wait, or an enablement running out. */
export type ShardPhase = HandlerEvent | ExhaustedEvent;

/** Hits (have `type`) and phases (have `phase`) of one shard, in the order they happened. */
export type ShardItem = InjectionEvent | ShardPhase;

export interface PackedItems {
  readonly length: number;
  /** Per item: the timestamp. Shares one ArrayBuffer with `meta`, so a batch clones one buffer. */
  readonly ts: Float64Array;
  /**
   * Per item, three numbers: its code (0-3 a hit of that type, 4 a handler 'waiting', 5 'released',
   * 6 'exhausted'), its index into `names`, and (hits) its index into `params`.
   */
  readonly meta: Uint32Array;
  readonly names: readonly string[];
  readonly params: readonly InjectionParameters[];
  /**
   * The scope of each item of a scoped enablement (hit or phase), by item index; absent when no item of the
   * batch is scoped (the usual case).
   */
  readonly scopes?: Readonly<Record<number, string>>;
}

// A hit's type travels as its index in INJECTION_TYPES; both ends run the same build.
const TYPES = INJECTION_TYPES;
const TYPE_CODES = INJECTION_TYPE_CODES;
const WAITING = 4;
const RELEASED = 5;
const EXHAUSTED = 6;
const PHASE_CODES: Readonly<Record<ShardPhase['phase'], number>> = { waiting: WAITING, released: RELEASED, exhausted: EXHAUSTED };
const PHASES: readonly ShardPhase['phase'][] = ['waiting', 'released', 'exhausted'];
const NO_PARAMS: InjectionParameters = Object.freeze({});

export function packItems(items: readonly ShardItem[]): PackedItems {
  const length = items.length;
  const buffer = new ArrayBuffer(length * 8 + length * 12);
  const ts = new Float64Array(buffer, 0, length);
  const meta = new Uint32Array(buffer, length * 8, length * 3);
  const names: string[] = [];
  const params: InjectionParameters[] = [];
  const nameSlots = new Map<string, number>();
  const paramSlots = new Map<InjectionParameters, number>();
  let scopes: Record<number, string> | undefined;
  for (let i = 0, m = 0; i < length; i++, m += 3) {
    const item = items[i];
    let n = nameSlots.get(item.injection);
    if (n === undefined) {
      n = names.push(item.injection) - 1;
      nameSlots.set(item.injection, n);
    }
    meta[m + 1] = n;
    ts[i] = item.ts ?? Date.now();
    if (item.scope !== undefined) (scopes ??= {})[i] = item.scope;
    if ((item as ShardPhase).phase !== undefined) {
      meta[m] = PHASE_CODES[(item as ShardPhase).phase];
      continue;
    }
    const hit = item as InjectionEvent;
    meta[m] = TYPE_CODES[hit.type];
    const p = hit.params ?? NO_PARAMS;
    let slot = paramSlots.get(p);
    if (slot === undefined) {
      slot = params.push(p) - 1;
      paramSlots.set(p, slot);
    }
    meta[m + 2] = slot;
  }
  return scopes === undefined ? { length, ts, meta, names, params } : { length, ts, meta, names, params, scopes };
}

/** Item `i` is a phase (a handler's, or an exhaustion), not a hit. */
export function isPhaseCode(packed: PackedItems, i: number): boolean {
  return packed.meta[i * 3] >= WAITING;
}

/** The event of hit `i`, as the shard's injector made it, on shard `shard`. */
export function unpackHit(packed: PackedItems, i: number, shard: number): InjectionEvent {
  const event = { injection: hitName(packed, i), type: hitType(packed, i), shard, ts: packed.ts[i], params: hitParams(packed, i) };
  const scope = hitScope(packed, i);
  return scope === undefined ? event : { ...event, scope };
}

/** The scope of item `i` (a hit or a phase); undefined when unscoped. */
export function hitScope(packed: PackedItems, i: number): string | undefined {
  return packed.scopes?.[i];
}

export function hitName(packed: PackedItems, i: number): string {
  return packed.names[packed.meta[i * 3 + 1]];
}

export function hitType(packed: PackedItems, i: number): InjectionType {
  return TYPES[packed.meta[i * 3]];
}

export function hitParams(packed: PackedItems, i: number): InjectionParameters {
  // Frozen, as the injector's own are: the hits of a batch share it, so its JSON and its cut for the event
  // stream (boundEventParams) are then built once per batch rather than per hit.
  return Object.freeze(packed.params[packed.meta[i * 3 + 2]]);
}

export function unpackPhase(packed: PackedItems, i: number, shard: number): ShardPhase {
  const phase: ShardPhase = { injection: hitName(packed, i), phase: PHASES[packed.meta[i * 3] - WAITING], shard, ts: packed.ts[i] };
  const scope = hitScope(packed, i);
  return scope === undefined ? phase : { ...phase, scope };
}
