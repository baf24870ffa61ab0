import { INJECTION_TYPES, isInjectionType, noticeScope, type HandlerEvent, type InjectionEvent, type InjectionType } from '../event';
import { InvalidInjectionError } from '../injector';
import { scopeProblem } from '../wire';
import { validateName } from '../injector/validate';
import type { ControlNotice, EventsOptions } from './types';

/** EventsOptions checked and turned into sets; `undefined` means "all". */
export interface EventsFilter {
  readonly shards: ReadonlySet<number> | undefined;
  readonly injections: ReadonlySet<string> | undefined;
  readonly types: ReadonlySet<InjectionType> | undefined;
  readonly scopes: ReadonlySet<string> | undefined;
  readonly afterId: string | undefined;
  readonly handlerEvents: boolean;
  readonly shardEvents: boolean;
  readonly controlEvents: boolean;
}

/** Checks every option up front, throwing InvalidInjectionError (what a server turns into a 400). */
export function parseEventsOptions(options: EventsOptions | undefined): EventsFilter {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInjectionError('events options must be an object');
  }
  return {
    shards: shardSet(options.shards),
    injections: nameSet(options.injections),
    types: typeSet(options.types),
    scopes: scopeSet(options.scopes),
    afterId: afterId(options.afterId),
    handlerEvents: flag('handlerEvents', options.handlerEvents),
    shardEvents: flag('shardEvents', options.shardEvents),
    controlEvents: flag('controlEvents', options.controlEvents),
  };
}

/** A hit as filters see it: a Hit of the group, or its event. */
export type FilteredHit = Pick<InjectionEvent, 'injection' | 'type' | 'shard' | 'scope'>;

export function acceptsHit(filter: EventsFilter, event: FilteredHit): boolean {
  return (
    (filter.injections === undefined || filter.injections.has(event.injection)) &&
    (filter.types === undefined || filter.types.has(event.type)) &&
    (filter.shards === undefined || filter.shards.has(event.shard)) &&
    inScopes(filter, event.scope)
  );
}

/** No `scopes` filter, or an item of one of its scopes (an unscoped item is in none). */
function inScopes(filter: EventsFilter, scope: string | undefined): boolean {
  return filter.scopes === undefined || (scope !== undefined && filter.scopes.has(scope));
}

/**
 * Handler phases belong to 'handler' points: a `types` filter without 'handler' excludes them. A `scopes` filter
 * takes those of a handler of its scopes only, as it does hits.
 */
export function acceptsHandlerEvent(filter: EventsFilter, event: HandlerEvent): boolean {
  return (
    filter.handlerEvents &&
    (filter.injections === undefined || filter.injections.has(event.injection)) &&
    (filter.types === undefined || filter.types.has('handler')) &&
    (filter.shards === undefined || filter.shards.has(event.shard)) &&
    inScopes(filter, event.scope)
  );
}

/**
 * A broadcast notice (shard null) goes to every reader that asked; a `disabled-all` to whatever its names filter.
 * A reader of some scopes gets no notice of another scope's change (a change of every scope it does get).
 */
export function acceptsControl(filter: EventsFilter, notice: ControlNotice): boolean {
  const scope = noticeScope(notice);
  return (
    filter.controlEvents &&
    (scope === undefined || filter.scopes === undefined || filter.scopes.has(scope)) &&
    (notice.injection === null || filter.injections === undefined || filter.injections.has(notice.injection)) &&
    (notice.shard === null || filter.shards === undefined || filter.shards.has(notice.shard))
  );
}

function shardSet(shards: unknown): ReadonlySet<number> | undefined {
  if (shards === undefined) return undefined;
  if (!Array.isArray(shards)) throw new InvalidInjectionError('events option "shards" must be an array of shard numbers');
  for (const s of shards) {
    if (typeof s !== 'number' || !Number.isSafeInteger(s) || s < 0) {
      throw new InvalidInjectionError(
        `events option "shards": ${JSON.stringify(s) ?? String(s)} is not a shard number (an integer >= 0)`,
      );
    }
  }
  return new Set(shards as number[]);
}

function nameSet(names: unknown): ReadonlySet<string> | undefined {
  if (names === undefined) return undefined;
  if (!Array.isArray(names)) throw new InvalidInjectionError('events option "injections" must be an array of names');
  for (const n of names) validateName(n);
  return new Set(names as string[]);
}

function typeSet(types: unknown): ReadonlySet<InjectionType> | undefined {
  if (types === undefined) return undefined;
  if (!Array.isArray(types)) throw new InvalidInjectionError('events option "types" must be an array of types');
  for (const t of types) {
    if (!isInjectionType(t)) {
      throw new InvalidInjectionError(
        `events option "types": ${JSON.stringify(t) ?? String(t)} is not one of ${INJECTION_TYPES.join(', ')}`,
      );
    }
  }
  return new Set(types as InjectionType[]);
}

function scopeSet(scopes: unknown): ReadonlySet<string> | undefined {
  if (scopes === undefined) return undefined;
  if (!Array.isArray(scopes)) throw new InvalidInjectionError('events option "scopes" must be an array of scopes');
  for (const s of scopes) {
    const problem = scopeProblem(s);
    if (problem !== undefined) throw new InvalidInjectionError(`events option "scopes": ${problem}`);
  }
  return new Set(scopes as string[]);
}

function afterId(id: unknown): string | undefined {
  if (id === undefined) return undefined;
  if (typeof id !== 'string') throw new InvalidInjectionError('events option "afterId" must be a string (a wire id)');
  return id;
}

function flag(option: string, value: unknown): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw new InvalidInjectionError(`events option "${option}" must be a boolean`);
  return value;
}
