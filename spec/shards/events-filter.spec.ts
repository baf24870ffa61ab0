import { InvalidInjectionError } from '../../lib/injector/errors';
import { acceptsControl, acceptsHandlerEvent, acceptsHit, parseEventsOptions } from '../../lib/shards/events-filter';
import type { HandlerEvent, InjectionEvent } from '../../lib/event';
import { expectError, thrownBy } from '../helpers/expect-error';

const hit = (scope?: string): InjectionEvent => ({ injection: 'x', type: 'lambda', shard: 0, ...(scope ? { scope } : {}) });

describe('events filter: scopes', () => {
  test('without scopes every hit passes; with scopes only hits of those scopes, never an unscoped one', () => {
    const all = parseEventsOptions({});
    expect([hit(), hit('a')].map((h) => acceptsHit(all, h))).toEqual([true, true]);
    const some = parseEventsOptions({ scopes: ['a', 'b'] });
    expect([hit(), hit('a'), hit('b'), hit('c')].map((h) => acceptsHit(some, h))).toEqual([false, true, true, false]);
  });

  test("handler events follow the scopes filter as hits do: a scoped handler's to readers of its scope, an unscoped one's to none of them", () => {
    const handler = (scope?: string): HandlerEvent => ({ injection: 'h', phase: 'waiting', shard: 0, ts: 1, ...(scope ? { scope } : {}) });
    const some = parseEventsOptions({ scopes: ['a'], handlerEvents: true });
    expect([handler(), handler('a'), handler('b')].map((e) => acceptsHandlerEvent(some, e))).toEqual([false, true, false]);
    const all = parseEventsOptions({ handlerEvents: true });
    expect([handler(), handler('a')].map((e) => acceptsHandlerEvent(all, e))).toEqual([true, true]);
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
