import { InvalidInjectionError } from '../../lib/injector/errors';
import { acceptsControl, acceptsHit, parseEventsOptions } from '../../lib/shards/events-filter';
import type { InjectionEvent } from '../../lib/event';
import { expectError, thrownBy } from '../helpers/expect-error';

const hit = (scope?: string): InjectionEvent => ({ injection: 'x', type: 'lambda', shard: 0, ...(scope ? { scope } : {}) });

describe('events filter: scopes', () => {
  test('without scopes every hit passes; with scopes only hits of those scopes, never an unscoped one', () => {
    const all = parseEventsOptions({});
    expect([hit(), hit('a')].map((h) => acceptsHit(all, h))).toEqual([true, true]);
    const some = parseEventsOptions({ scopes: ['a', 'b'] });
    expect([hit(), hit('a'), hit('b'), hit('c')].map((h) => acceptsHit(some, h))).toEqual([false, true, true, false]);
  });

  test('a reader of some scopes gets control notices of its scopes and of every scope, not of another scope', () => {
    const filter = parseEventsOptions({ scopes: ['a'], controlEvents: true });
    const notice = { op: 'disabled' as const, injection: 'x', shard: null, ts: 1 };
    expect(acceptsControl(filter, notice)).toBe(true);
    expect(acceptsControl(filter, { ...notice, scope: 'a' })).toBe(true);
    expect(acceptsControl(filter, { ...notice, scope: 'b' })).toBe(false);
    expect(acceptsControl(filter, { ...notice, op: 'enabled', options: { scope: 'b' } })).toBe(false);
    expect(acceptsControl(parseEventsOptions({ controlEvents: true }), { ...notice, scope: 'b' })).toBe(true);
  });

  test.each([
    ['not an array', 'a', 'events option "scopes" must be an array of scopes'],
    ['an empty scope', [''], 'events option "scopes": a scope must not be empty'],
    ['a number', [3], 'events option "scopes": a scope must be a string, got number'],
  ])('scopes %s: InvalidInjectionError', (_l, scopes, message) => {
    expectError(thrownBy(() => parseEventsOptions({ scopes: scopes as string[] })), InvalidInjectionError, { code: 'ERR_FAULTLINE_INVALID', message });
  });
});
