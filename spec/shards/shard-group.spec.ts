import { firstValueFrom, toArray, type Subscription } from 'rxjs';
import { decodeEvent } from '../../lib/event';
import { ErrorInjector, InjectionsOffError, InvalidInjectionError, injector as mainInjector } from '../../lib/injector';
import { ShardGroupClosedError, ShardGroupOptionError } from '../../lib/shards/errors';
import { ShardGroup } from '../../lib/shards/shard-group';
import type { GroupGap, GroupHit, GroupItem } from '../../lib/shards/types';
import { expectError } from '../helpers/expect-error';

// ShardGroup with the main thread alone (shard 0). Worker shards are in shard-group.workers.spec.ts.

const groups: ShardGroup[] = [];
const subscriptions: Subscription[] = [];

function newGroup(options: ConstructorParameters<typeof ShardGroup>[0] = {}): { group: ShardGroup; inj: ErrorInjector } {
  const inj = new ErrorInjector({ enabled: true });
  const group = new ShardGroup({ injector: inj, ...options });
  groups.push(group);
  return { group, inj };
}

function collect(group: ShardGroup, options?: Parameters<ShardGroup['events']>[0]): GroupItem[] {
  const seen: GroupItem[] = [];
  subscriptions.push(group.events(options).subscribe((item) => seen.push(item)));
  return seen;
}

const hitsOf = (items: GroupItem[]): GroupHit[] => items.filter((i): i is GroupHit => i.kind === 'hit');
const seqs = (items: GroupItem[]): number[] => hitsOf(items).map((h) => h.seq);
/** Whether an injector has any subscriber on its hits (the thing a leak would leave behind). */
const hitsObserved = (inj: ErrorInjector): boolean => inj.hitsWatched;
const handlersObserved = (inj: ErrorInjector): boolean =>
  (inj as unknown as { handlerSubject: { observed: boolean } }).handlerSubject.observed;

afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(groups.splice(0).map((g) => g.close()));
});

describe('ShardGroup on the main thread alone', () => {
  it('is shard 0, the thread injector by default, with a short base36 epoch', async () => {
    const group = new ShardGroup({ historySize: 0 });
    groups.push(group);
    expect(group.epoch).toMatch(/^[0-9a-z]{4,12}$/);
    expect(group.shards).toEqual([{ shard: 0, kind: 'main', alive: true, threadId: 0 }]);
    expect(group.lastId).toBeNull();
    const events = collect(group);
    await group.enableOnAll('shard_group_default', { oneShot: true });
    expect(mainInjector.isEnabled('shard_group_default')).toBe(true);
    mainInjector.inject('shard_group_default', () => undefined);
    expect(hitsOf(events).map((h) => h.event.injection)).toEqual(['shard_group_default']);
  });

  it('two groups have different epochs', () => {
    expect(newGroup().group.epoch).not.toBe(newGroup().group.epoch);
  });

  it.each([
    ['historySize -1', { historySize: -1 }, 'ShardGroup option historySize must be an integer >= 0, got -1'],
    ['applyTimeout 0', { applyTimeout: 0 }, 'ShardGroup option applyTimeout must be an integer >= 1, got 0'],
    ['historyBytes 1.5', { historyBytes: 1.5 }, 'ShardGroup option historyBytes must be an integer >= 0, got 1.5'],
    ['historySize "10"', { historySize: '10' as never }, 'ShardGroup option historySize must be an integer >= 0, got 10'],
    ['null options', null as never, 'ShardGroup options must be an object'],
  ])('rejects %s with ShardGroupOptionError, before it listens to anything', (_what, options, message) => {
    const inj = new ErrorInjector({ enabled: true });
    const err = ((): unknown => {
      try {
        return new ShardGroup(options === null ? options : { injector: inj, ...options });
      } catch (e) {
        return e;
      }
    })();
    expectError(err, ShardGroupOptionError, { code: 'ERR_FAULTLINE_SHARD_OPTION', message });
    expect(hitsObserved(inj)).toBe(false);
    expect(handlersObserved(inj)).toBe(false);
  });
});

describe('broadcast control (main only)', () => {
  it('enables, reports state, enabled names and enters, disables', async () => {
    const { group, inj } = newGroup();
    await expect(group.enableOnAll('a', { parameters: { k: 'v' }, count: 3 })).resolves.toEqual({ applied: [0], down: [] });
    await expect(group.enableOnAll('b')).resolves.toEqual({ applied: [0], down: [] });
    expect(await group.enabledOnAll()).toEqual(['a', 'b']);
    inj.inject('a', () => undefined);
    inj.inject('a', () => undefined);
    expect(await group.entersOnAll('a')).toBe(2);
    const [state] = await group.stateOnAll('a');
    expect(state).toMatchObject({ name: 'a', enabled: true, parameters: { k: 'v' }, hits: 2, count: 3 });
    await expect(group.disableOnAll('a')).resolves.toEqual({ applied: [0], down: [] });
    expect(await group.enabledOnAll()).toEqual(['b']);
    expect([await group.entersOnAll('a'), await group.lifetimeEntersOnAll('a')]).toEqual([0, 2]);
    await group.disableAllOnAll();
    expect(await group.enabledOnAll()).toEqual([]);
    expect(inj.enabledInjections()).toEqual([]);
  });

  it('messageOnAll wakes a waiting handler', async () => {
    const { group, inj } = newGroup();
    await group.enableOnAll('pause');
    let released = false;
    const done = inj.injectHandler('pause', async (h) => {
      await h.waitForMessage({ timeout: 20_000 });
      released = true;
    });
    expect(released).toBe(false);
    await group.messageOnAll('pause');
    await done;
    expect(released).toBe(true);
  });

  it('gives one seed to a probabilistic enable, so every shard draws the same sequence', async () => {
    const { group } = newGroup();
    await group.enableOnAll('maybe', { probability: 0.5 });
    const [state] = await group.stateOnAll('maybe');
    expect(state.seed).toEqual(expect.any(Number));
  });

  it('a scoped probabilistic enable sends every shard (and the notice) the seed of that scope\'s enablement', async () => {
    const { group, inj } = newGroup();
    const notices: GroupItem[] = [];
    const sub = group.events({ controlEvents: true }).subscribe((item) => notices.push(item));
    await group.enableOnAll('maybe', { probability: 0.5 });
    await group.enableOnAll('maybe', { probability: 0.5, scope: 'a' });
    sub.unsubscribe();
    const seed = inj.get('maybe', { scope: 'a' }).seed;
    expect(seed).toEqual(expect.any(Number));
    expect(notices.map((n) => (n.kind === 'control' ? n.notice.options : undefined))[1]).toEqual({ probability: 0.5, scope: 'a', seed });
  });

  it.each([
    ['an empty name', () => ['', {}], /injection name must not be empty/],
    ['a non-string parameter', () => ['x', { parameters: { n: 1 } }], /parameter "n" must be a string/],
    ['a count of 0', () => ['x', { count: 0 }], /count must be an integer >= 1/],
    ['an unknown option', () => ['x', { oneshot: true }], /unknown option "oneshot"/],
  ])('rejects %s with InvalidInjectionError before anything changes', async (_what, args, message) => {
    const { group, inj } = newGroup();
    const [name, options] = args() as [string, object];
    const err = await group.enableOnAll(name, options).catch((e: unknown) => e);
    expectError(err, InvalidInjectionError, { code: 'ERR_FAULTLINE_INVALID', message });
    expect(inj.enabledInjections()).toEqual([]);
    expect(await group.enabledOnAll()).toEqual([]);
  });

  it('rejects bad names on every other control method', async () => {
    const { group } = newGroup();
    for (const call of [
      () => group.disableOnAll(''),
      () => group.messageOnAll('a\nb'),
      () => group.stateOnAll(42 as never),
      () => group.entersOnAll(''),
    ]) {
      const err = await call().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InvalidInjectionError);
    }
  });

  it('rejects enableOnAll with InjectionsOffError when injection is switched off', async () => {
    const inj = new ErrorInjector({ enabled: false });
    const group = new ShardGroup({ injector: inj });
    groups.push(group);
    const err = await group.enableOnAll('x').catch((e: unknown) => e);
    expectError(err, InjectionsOffError, { code: 'ERR_FAULTLINE_OFF', message: /cannot enable injection "x"/ });
    expect(await group.enabledOnAll()).toEqual([]);
  });
});

describe('events()', () => {
  it('gives every hit the next global id, with its event and a cached SSE frame', async () => {
    const { group, inj } = newGroup();
    const a = collect(group);
    const b = collect(group);
    await group.enableOnAll('x', { parameters: { p: '1' } });
    inj.inject('x', () => undefined);
    inj.injectError('y', () => new Error('not enabled'));
    inj.inject('x', () => undefined);
    expect(seqs(a)).toEqual([1, 2]);
    const [first, second] = hitsOf(a);
    expect(first.id).toBe(`${group.epoch}-1`);
    expect(second.id).toBe(`${group.epoch}-2`);
    expect(group.lastId).toBe(`${group.epoch}-2`);
    expect(first.event).toEqual({ injection: 'x', type: 'lambda', shard: 0, ts: expect.any(Number), params: { p: '1' }, id: first.id });
    expect(first.frame).toBe(`id: ${first.id}\ndata: {"injection":"x","type":"lambda","shard":0,"ts":${first.event.ts},"params":{"p":"1"}}\n\n`);
    expect(decodeEvent(first.frame.split('\n')[1].slice('data: '.length), first.id)).toEqual(first.event);
    // Every reader gets the same item, so the frame is built once for all of them.
    expect(hitsOf(b)[0]).toBe(first);
    expect(first.frame).toBe(first.frame);
  });

  it('filters by injection and type', async () => {
    const { group, inj } = newGroup();
    const onlyY = collect(group, { injections: ['y'] });
    const onlyErrors = collect(group, { types: ['exception'] });
    await group.enableOnAll('x');
    await group.enableOnAll('y');
    inj.inject('x', () => undefined);
    expect(() => inj.injectError('y')).toThrow();
    inj.inject('y', () => undefined);
    expect(hitsOf(onlyY).map((h) => [h.event.injection, h.event.type])).toEqual([
      ['y', 'exception'],
      ['y', 'lambda'],
    ]);
    expect(hitsOf(onlyErrors).map((h) => h.seq)).toEqual([2]);
  });

  it('replays history after an id, then goes live, with no gap or duplicate', async () => {
    const { group, inj } = newGroup();
    await group.enableOnAll('x');
    for (let i = 0; i < 5; i++) inj.inject('x', () => undefined);
    const items = collect(group, { afterId: `${group.epoch}-2` });
    expect(seqs(items)).toEqual([3, 4, 5]);
    inj.inject('x', () => undefined);
    expect(seqs(items)).toEqual([3, 4, 5, 6]);
    expect(items.some((i) => i.kind === 'gap')).toBe(false);
  });

  it('keeps order when a reader causes hits while its replay is emitted', async () => {
    const { group, inj } = newGroup();
    await group.enableOnAll('x');
    for (let i = 0; i < 3; i++) inj.inject('x', () => undefined);
    const seen: number[] = [];
    subscriptions.push(
      group.events({ afterId: `${group.epoch}-1` }).subscribe((item) => {
        if (item.kind !== 'hit') return;
        seen.push(item.seq);
        // Each replayed hit causes a new one synchronously: it must come after the replay, once.
        if (item.seq <= 3) inj.inject('x', () => undefined);
      }),
    );
    expect(seen).toEqual([2, 3, 4, 5]);
  });

  it('reports a gap when the id is older than the history holds, then replays what it has', async () => {
    const { group, inj } = newGroup({ historySize: 3 });
    await group.enableOnAll('x');
    for (let i = 0; i < 6; i++) inj.inject('x', () => undefined);
    const items = collect(group, { afterId: `${group.epoch}-1` });
    const gap = items[0] as GroupGap;
    expect(gap).toEqual({
      kind: 'gap',
      reason: 'history',
      lastEventId: `${group.epoch}-1`,
      oldestId: `${group.epoch}-4`,
      frame: `event: gap\ndata: {"reason":"history","lastEventId":"${group.epoch}-1","oldestId":"${group.epoch}-4"}\n\n`,
    });
    expect(seqs(items)).toEqual([4, 5, 6]);
    // Resuming right before the oldest kept hit is no gap.
    expect(collect(group, { afterId: `${group.epoch}-3` }).map((i) => i.kind)).toEqual(['hit', 'hit', 'hit']);
  });

  it('keeps fewer hits when their parameters are big (historyBytes), reporting the gap from there', async () => {
    // Each hit of x below is estimated at 256 + 2 * (1 + 1 + 1000) bytes: 4 of them fit in 10 000.
    const { group, inj } = newGroup({ historyBytes: 10_000 });
    await group.enableOnAll('x', { parameters: { k: 'v'.repeat(1000) } });
    for (let i = 0; i < 6; i++) inj.inject('x', () => undefined);
    const items = collect(group, { afterId: `${group.epoch}-1` });
    expect(items[0]).toMatchObject({ kind: 'gap', reason: 'history', oldestId: `${group.epoch}-3` });
    expect(seqs(items)).toEqual([3, 4, 5, 6]);
    expect(() => new ShardGroup({ historyBytes: -1 })).toThrow('ShardGroup option historyBytes must be an integer >= 0, got -1');
  });

  it('reports a gap with no history at all (historySize 0) only when hits were missed', async () => {
    const { group, inj } = newGroup({ historySize: 0 });
    const live = collect(group);
    await group.enableOnAll('x');
    inj.inject('x', () => undefined);
    inj.inject('x', () => undefined);
    expect(collect(group, { afterId: `${group.epoch}-2` })).toEqual([]);
    const gapped = collect(group, { afterId: `${group.epoch}-1` });
    expect(gapped).toEqual([expect.objectContaining({ kind: 'gap', reason: 'history', oldestId: null })]);
    expect(seqs(live)).toEqual([1, 2]);
  });

  it.each([
    ['another epoch', 'zzzz-1'],
    ['a malformed id', 'not-an-id'],
    ['no dash', '17'],
    ['an id this group has not issued yet', 'EPOCH-99'],
  ])('treats %s as a restart: a gap, then all history', async (_what, id) => {
    const { group, inj } = newGroup();
    await group.enableOnAll('x');
    inj.inject('x', () => undefined);
    inj.inject('x', () => undefined);
    const afterId = id.replace('EPOCH', group.epoch);
    const items = collect(group, { afterId });
    expect(items[0]).toEqual(
      expect.objectContaining({ kind: 'gap', reason: 'restart', lastEventId: afterId, oldestId: `${group.epoch}-1` }),
    );
    expect(seqs(items)).toEqual([1, 2]);
  });

  it('treats an empty afterId as none (what an SSE client without a last id sends)', async () => {
    const { group, inj } = newGroup();
    await group.enableOnAll('x');
    inj.inject('x', () => undefined);
    expect(collect(group, { afterId: '' })).toEqual([]);
  });

  it('applies filters to the replay too', async () => {
    const { group, inj } = newGroup();
    await group.enableOnAll('x');
    await group.enableOnAll('y');
    inj.inject('x', () => undefined);
    inj.inject('y', () => undefined);
    inj.inject('x', () => undefined);
    expect(seqs(collect(group, { afterId: `${group.epoch}-1`, injections: ['x'] }))).toEqual([3]);
  });

  it('emits handler phases only to readers that ask, never as hits', async () => {
    const { group, inj } = newGroup();
    const plain = collect(group);
    const withHandlers = collect(group, { handlerEvents: true });
    const errorsOnly = collect(group, { handlerEvents: true, types: ['exception'] });
    await group.enableOnAll('pause');
    const done = inj.injectHandler('pause', (h) => h.waitForMessage({ timeout: 20_000 }));
    await group.messageOnAll('pause');
    await done;
    expect(plain.map((i) => i.kind)).toEqual(['hit']);
    expect(withHandlers.map((i) => (i.kind === 'handler' ? i.event.phase : i.kind))).toEqual(['hit', 'waiting', 'released']);
    const waiting = withHandlers[1];
    expect(waiting.frame).toMatch(/^event: handler\ndata: \{"injection":"pause","phase":"waiting","shard":0,"ts":\d+\}\n\n$/);
    expect(errorsOnly).toEqual([]);
  });

  it.each([
    ['shards not an array', { shards: 1 }, 'events option "shards" must be an array of shard numbers'],
    ['a negative shard', { shards: [-1] }, 'events option "shards": -1 is not a shard number (an integer >= 0)'],
    ['an unknown type', { types: ['boom'] }, 'events option "types": "boom" is not one of sleep, handler, exception, lambda'],
    ['an empty name', { injections: [''] }, 'injection name must not be empty'],
    ['a numeric afterId', { afterId: 7 }, 'events option "afterId" must be a string (a wire id)'],
    ['a non-boolean flag', { handlerEvents: 'yes' }, 'events option "handlerEvents" must be a boolean'],
  ])('throws InvalidInjectionError for %s before subscribing anything', (_what, options, message) => {
    const { group } = newGroup({ historySize: 0 });
    let err: unknown;
    try {
      group.events(options as never);
    } catch (e) {
      err = e;
    }
    expectError(err, InvalidInjectionError, { code: 'ERR_FAULTLINE_INVALID', message });
    expect(group.subscriberCounts()).toEqual([0]);
  });
});

describe('costs and teardown', () => {
  it('with no history and no reader, does not even subscribe to the injector', async () => {
    const { group, inj } = newGroup({ historySize: 0 });
    expect(hitsObserved(inj)).toBe(false);
    const sub = group.events().subscribe();
    expect(hitsObserved(inj)).toBe(true);
    expect(group.subscriberCounts()).toEqual([1]);
    sub.unsubscribe();
    expect(hitsObserved(inj)).toBe(false);
    expect(group.subscriberCounts()).toEqual([0]);
  });

  it('keeps hits flowing into history when there is history, and none are lost before a reader comes', async () => {
    const { group, inj } = newGroup();
    expect(hitsObserved(inj)).toBe(true);
    await group.enableOnAll('x');
    inj.inject('x', () => undefined);
    expect(group.lastId).toBe(`${group.epoch}-1`);
  });

  it('counts readers per shard, explicit and all-shards, and tears every one down', () => {
    const { group, inj } = newGroup({ historySize: 0 });
    const subs = [
      group.events().subscribe(),
      group.events({ shards: [0] }).subscribe(),
      group.events({ shards: [0, 5] }).subscribe(),
      group.events({ handlerEvents: true }).subscribe(),
    ];
    expect(group.subscriberCounts()).toEqual([4]);
    expect(handlersObserved(inj)).toBe(true);
    for (const s of subs) s.unsubscribe();
    expect(group.subscriberCounts()).toEqual([0]);
    expect(hitsObserved(inj)).toBe(false);
    expect(handlersObserved(inj)).toBe(false);
  });

  it('close completes every events() observable, unsubscribes from the injector and refuses further calls', async () => {
    const { group, inj } = newGroup();
    const all = firstValueFrom(group.events().pipe(toArray()));
    const one = firstValueFrom(group.events({ shards: [0] }).pipe(toArray()));
    await group.enableOnAll('x');
    inj.inject('x', () => undefined);
    await group.close();
    expect((await all).map((i) => i.kind)).toEqual(['hit']);
    expect((await one).map((i) => i.kind)).toEqual(['hit']);
    expect(hitsObserved(inj)).toBe(false);
    expect(group.subscriberCounts()).toEqual([0]);
    for (const call of [() => group.enableOnAll('x'), () => group.stateOnAll('x'), () => group.disableAllOnAll()]) {
      expectError(await call().catch((e: unknown) => e), ShardGroupClosedError, {
        code: 'ERR_FAULTLINE_GROUP_CLOSED',
        message: /: the shard group is closed$/,
      });
    }
    expect(await firstValueFrom(group.events().pipe(toArray()))).toEqual([]);
    await expect(group.close()).resolves.toBeUndefined();
  });

  it('is closed already for a subscriber that calls back into the group as close() completes it', async () => {
    const { group } = newGroup();
    const seen: { enable?: unknown; late?: GroupItem[]; closing?: Promise<void> } = {};
    group.events().subscribe({
      complete: () => {
        seen.enable = group.enableOnAll('y').catch((e: unknown) => e);
        seen.late = collect(group);
        seen.closing = group.close();
      },
    });
    const closing = group.close();
    expect(seen.closing).toBe(closing);
    await closing;
    expectError(await seen.enable, ShardGroupClosedError, {
      code: 'ERR_FAULTLINE_GROUP_CLOSED',
      message: 'enableOnAll: the shard group is closed',
    });
    expect(seen.late).toEqual([]);
    expect(group.subscriberCounts()).toEqual([0]);
  });
});
