import { Worker } from 'node:worker_threads';
import { filter, firstValueFrom, map, take, takeWhile, timeout, toArray, type Observable, type Subscription } from 'rxjs';
import { ErrorInjector, InjectionsOffError, InvalidInjectionError } from '../../lib/injector';
import { attachShard } from '../../lib/shards/attach-shard';
import { ShardAttachError, ShardGroupClosedError, ShardGroupOptionError } from '../../lib/shards/errors';
import { PROTOCOL_VERSION } from '../../lib/shards/protocol';
import { ShardGroup } from '../../lib/shards/shard-group';
import type { GroupHit, GroupItem, ShardGroupOptions } from '../../lib/shards/types';
import { ShardWorker, type FixtureName } from '../fixtures/workers/shard-worker';
import { expectError } from '../helpers/expect-error';

// ShardGroup with real worker threads as shards. The fixtures load the built package: run `npm run build` first.

/** Hang guard only: every wait below ends on an event long before this on a healthy run. */
const DEADLINE = 20_000;

const groups: ShardGroup[] = [];
const workers: ShardWorker[] = [];
const subscriptions: Subscription[] = [];

afterEach(async () => {
  for (const s of subscriptions.splice(0)) s.unsubscribe();
  await Promise.all(groups.splice(0).map((g) => g.close()));
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

function newGroup(options: ShardGroupOptions = {}): { group: ShardGroup; main: ErrorInjector } {
  const main = new ErrorInjector({ enabled: true });
  const group = new ShardGroup({ injector: main, ...options });
  groups.push(group);
  return { group, main };
}

function startWorker(fixture: FixtureName = 'commanded-shard', data: Record<string, unknown> = {}, env?: NodeJS.ProcessEnv) {
  const w = new ShardWorker(fixture, data, env);
  workers.push(w);
  return w;
}

/** A group of the main thread and `n` commanded workers, each added and attached. */
async function groupOf(n: number, options: ShardGroupOptions = {}) {
  const { group, main } = newGroup(options);
  const ws = Array.from({ length: n }, () => startWorker());
  // One at a time, so that workers[i] is shard i + 1.
  const shards: number[] = [];
  for (const w of ws) shards.push(await group.addWorker(w.worker));
  return { group, main, workers: ws, shards };
}

function collect(source: Observable<GroupItem>): GroupItem[] {
  const seen: GroupItem[] = [];
  subscriptions.push(source.subscribe((item) => seen.push(item)));
  return seen;
}

/** The first `n` items of `source` that pass `pred`; subscribe before causing them. */
function firstN<T extends GroupItem>(source: Observable<GroupItem>, n: number, pred: (i: GroupItem) => i is T): Promise<T[]> {
  return firstValueFrom(source.pipe(filter(pred), take(n), toArray(), timeout({ first: DEADLINE })));
}

const isHit = (i: GroupItem): i is GroupHit => i.kind === 'hit';
const hitsOf = (items: GroupItem[]): GroupHit[] => items.filter(isHit);
const sortNumbers = (xs: number[]): number[] => [...xs].sort((a, b) => a - b);
const hitsObserved = (inj: ErrorInjector): boolean => inj.hitsWatched;

describe('worker shards', () => {
  it('enable on all, then a hit on each of 4 shards reaches the main thread with its shard and a global id', async () => {
    const { group, main, workers: ws, shards } = await groupOf(3);
    expect(shards).toEqual([1, 2, 3]);
    expect(group.shards).toEqual([
      { shard: 0, kind: 'main', alive: true, threadId: 0 },
      ...ws.map((w, i) => ({ shard: i + 1, kind: 'worker', alive: true, threadId: w.worker.threadId })),
    ]);
    const four = firstN(group.events(), 4, isHit);
    await expect(group.enableOnAll('x', { parameters: { why: 'test' } })).resolves.toEqual({ applied: [0, 1, 2, 3], down: [] });
    main.inject('x', () => undefined);
    // The enable was acked by every shard before it resolved: a hit right after can never miss it.
    for (const w of ws) await expect(w.hit('x')).resolves.toEqual({ fired: 1 });
    const hits = await four;
    expect(sortNumbers(hits.map((h) => h.event.shard))).toEqual([0, 1, 2, 3]);
    expect(hits.map((h) => h.seq)).toEqual([1, 2, 3, 4]);
    for (const h of hits) {
      expect(h.event).toMatchObject({ injection: 'x', type: 'lambda', params: { why: 'test' }, id: `${group.epoch}-${h.seq}` });
      expect(h.frame).toContain(`"shard":${h.event.shard},`);
    }
    for (const [i, w] of ws.entries()) expect((await w.probe()).shard).toBe(i + 1);
    expect(await group.enabledOnAll()).toEqual(['x']);
    expect((await group.stateOnAll('x')).map((s) => [s.enabled, s.hits])).toEqual([
      [true, 1],
      [true, 1],
      [true, 1],
      [true, 1],
    ]);
    expect(await group.entersOnAll('x')).toBe(4);
    await expect(group.disableAllOnAll()).resolves.toEqual({ applied: [0, 1, 2, 3], down: [] });
    for (const w of ws) await expect(w.hit('x')).resolves.toEqual({ fired: 0 });
  });

  it('messageOnAll wakes the waiting handlers on every shard', async () => {
    const { group, main, workers: ws } = await groupOf(3);
    const events = group.events({ handlerEvents: true });
    const waiting = firstN(events, 4, (i): i is GroupItem => i.kind === 'handler' && i.event.phase === 'waiting');
    const released = firstN(events, 4, (i): i is GroupItem => i.kind === 'handler' && i.event.phase === 'released');
    await group.enableOnAll('pause');
    let mainReleased = false;
    const mainDone = main.injectHandler('pause', async (h) => {
      await h.waitForMessage({ timeout: DEADLINE });
      mainReleased = true;
    });
    const workersDone = ws.map((w) => w.hit('pause', 'handler'));
    const parked = await waiting;
    expect(sortNumbers(parked.map((i) => (i.kind === 'handler' ? i.event.shard : -1)))).toEqual([0, 1, 2, 3]);
    expect((await group.stateOnAll('pause')).map((s) => s.waiters)).toEqual([1, 1, 1, 1]);
    expect(mainReleased).toBe(false);
    await expect(group.messageOnAll('pause')).resolves.toEqual({ applied: [0, 1, 2, 3], down: [] });
    await mainDone;
    expect(await Promise.all(workersDone)).toEqual([{ fired: 1 }, { fired: 1 }, { fired: 1 }]);
    expect((await released).length).toBe(4);
  });

  it('filters per shard, and merges only the chosen shards', async () => {
    const { group, main, workers: ws } = await groupOf(3);
    const onlyTwo = collect(group.events({ shards: [2] }));
    const zeroAndThree = collect(group.events({ shards: [0, 3] }));
    const all = firstN(group.events(), 8, isHit);
    expect(group.subscriberCounts()).toEqual([2, 1, 2, 2]);
    await group.enableOnAll('x');
    main.inject('x', () => undefined);
    main.inject('x', () => undefined);
    for (const w of ws) await w.hit('x', 'lambda', 2);
    await all;
    expect(hitsOf(onlyTwo).map((h) => h.event.shard)).toEqual([2, 2]);
    expect(sortNumbers(hitsOf(zeroAndThree).map((h) => h.event.shard))).toEqual([0, 0, 3, 3]);
  });

  it('keeps each shard in order and gives ids in one total order on the main thread', async () => {
    const { group, workers: ws } = await groupOf(3);
    const names = Array.from({ length: 200 }, (_, i) => `step-${i}`);
    for (const n of names) await group.enableOnAll(n);
    const all = firstN(group.events(), 600, isHit);
    await Promise.all(ws.map((w) => w.command('hit', { names })));
    const hits = await all;
    expect(hits.map((h) => h.seq)).toEqual(Array.from({ length: 600 }, (_, i) => i + 1));
    for (const shard of [1, 2, 3]) {
      expect(hits.filter((h) => h.event.shard === shard).map((h) => h.event.injection)).toEqual(names);
    }
  });

  it('replays history after an id with no gap or duplicate while hits keep arriving from every shard', async () => {
    const { group, main } = newGroup();
    const loopers = [1, 2, 3].map(() => startWorker('looping-shard', { name: 'loop', burst: 5, maxFired: 3000 }));
    for (const l of loopers) await group.addWorker(l.worker);
    const all = collect(group.events());
    const enough = firstN(group.events(), 300, isHit);
    await group.enableOnAll('loop');
    // The main thread hits too, between the workers' batches.
    let mainLooping = true;
    const mainLoop = (): void => {
      if (!mainLooping) return;
      main.inject('loop', () => undefined);
      setImmediate(mainLoop);
    };
    mainLoop();
    const early = await enough;
    const resumeAfter = early[100].id;
    const replayed = collect(group.events({ afterId: resumeAfter }));
    const replayLength = replayed.length;
    const counts = await Promise.all(loopers.map((l) => l.stopped));
    mainLooping = false;
    // Every shard acks after flushing its last hits: once this resolves, every hit is in.
    await group.stateOnAll('loop');
    expect(counts.map((c) => c.fired)).toEqual([3000, 3000, 3000]);
    const last = all.length;
    expect(hitsOf(all).map((h) => h.seq)).toEqual(Array.from({ length: last }, (_, i) => i + 1));
    expect(replayed.some((i) => i.kind === 'gap')).toBe(false);
    expect(hitsOf(replayed).map((h) => h.seq)).toEqual(Array.from({ length: last - 101 }, (_, i) => i + 102));
    // It subscribed mid-stream: part came from history, the rest live.
    expect(replayLength).toBeGreaterThan(0);
    expect(replayed.length).toBeGreaterThan(replayLength);
    expect(hitsOf(all).filter((h) => h.event.shard > 0).length).toBe(9000);
    expect(hitsOf(all)[last - 1].id).toBe(group.lastId);
  });
});

describe('a worker that dies', () => {
  it('loses no hit when it ends on its own while the main thread is behind', async () => {
    const { group } = newGroup();
    const loopers = [1, 2, 3].map(() =>
      startWorker('looping-shard', { name: 'loop', burst: 50, maxFired: 20_000, exitWhenDone: true }),
    );
    for (const l of loopers) await group.addWorker(l.worker);
    // Each shard's source completes once its worker is gone and everything it posted is in.
    const perShard = [1, 2, 3].map((s) =>
      firstValueFrom(group.events({ shards: [s] }).pipe(filter(isHit), toArray(), timeout({ first: DEADLINE }))),
    );
    await group.enableOnAll('loop');
    const received = await Promise.all(perShard);
    const counts = await Promise.all(loopers.map((l) => l.stopped));
    expect(received.map((hits) => hits.length)).toEqual(counts.map((c) => c.fired));
    expect(counts.map((c) => c.fired)).toEqual([20_000, 20_000, 20_000]);
    expect(group.droppedCounts()).toEqual([0, 0, 0, 0]);
    expect(group.shards.map((s) => s.alive)).toEqual([true, false, false, false]);
  });

  it.each([
    ['is terminated by the host', (w: ShardWorker) => void w.worker.terminate()],
    ['calls process.exit', (w: ShardWorker) => void w.command('exit', { code: 3 }).catch(() => undefined)],
    ['crashes with an uncaught exception', (w: ShardWorker) => void w.command('throw').catch(() => undefined)],
  ])('mid-stream (it %s): its shard goes down, its source completes, the others go on', async (_how, kill) => {
    const { group, main } = newGroup();
    // A steady stream from the loopers (2 hits a millisecond each), not a flood: two threads spinning flat out
    // on 2 cores starved the main thread for tens of seconds under load, which is not what this test is about.
    const ws = [1, 2, 3].map((i) => startWorker(i === 2 ? 'commanded-shard' : 'looping-shard', { name: 'loop', burst: 2, everyMs: 1 }));
    for (const w of ws) await group.addWorker(w.worker);
    const victim = ws[1];
    const withDowns = collect(group.events({ shardEvents: true }));
    const plain = collect(group.events());
    const onlyVictim = firstValueFrom(group.events({ shards: [2] }).pipe(toArray(), timeout({ first: DEADLINE })));
    const victimAndMain = collect(group.events({ shards: [0, 2] }));
    await group.enableOnAll('loop');
    await victim.hit('loop', 'lambda', 10);
    // Hits from the loopers keep coming while the victim dies.
    await firstN(group.events({ shards: [1, 3] }), 20, isHit);
    kill(victim);
    await victim.exited;
    const victimItems = await onlyVictim;
    expect(hitsOf(victimItems).every((h) => h.event.shard === 2)).toBe(true);
    expect(hitsOf(victimItems).length).toBe(10);
    expect(group.shards[2].alive).toBe(false);
    expect(group.subscriberCounts()[2]).toBe(0);
    expect(withDowns.filter((i) => i.kind === 'shard-down')).toEqual([
      { kind: 'shard-down', shard: 2, frame: 'event: shard-down\ndata: {"shard":2}\n\n' },
    ]);
    expect(plain.some((i) => i.kind === 'shard-down')).toBe(false);
    // Broadcasts resolve for the live shards and report the dead one; nothing hangs on it.
    await expect(group.enableOnAll('after')).resolves.toEqual({ applied: [0, 1, 3], down: [2] });
    expect((await group.stateOnAll('after')).map((s) => s.enabled)).toEqual([true, true, false, true]);
    expect(await group.enabledOnAll()).toEqual(['loop', 'after']);
    // The others are unaffected: NEW hits from shards 1 and 3 and the main thread still arrive (the events'
    // replay of the history would satisfy a wait for any hit).
    const mark = hitsOf(plain).at(-1)?.seq ?? 0;
    const isNewHit = (i: GroupItem): i is GroupHit => isHit(i) && i.seq > mark;
    const fromOne = firstN(group.events({ shards: [1] }), 1, isNewHit);
    const fromThree = firstN(group.events({ shards: [3] }), 1, isNewHit);
    const fromMain = firstN(group.events({ shards: [0] }), 1, isNewHit);
    main.inject('loop', () => undefined);
    await Promise.all([fromOne, fromThree, fromMain]);
    expect(victimAndMain.length).toBeGreaterThan(0);
    expect(subscriptions.every((s) => !s.closed)).toBe(true);
  });

  it('does not hang a broadcast on a worker that cannot answer: reported down for that call, still alive', async () => {
    const { group, workers: ws } = await groupOf(2, { applyTimeout: 2000 });
    const blocked = await ws[0].block();
    await expect(group.enableOnAll('x')).resolves.toEqual({ applied: [0, 2], down: [1] });
    expect(group.shards[1].alive).toBe(true);
    blocked.release();
    await expect(blocked.done).resolves.toBe('unblocked');
    // It applied the enable once it could: the group's channel keeps the order, so a state query sent after
    // the enable is answered after it. (The fixture's probe travels on parentPort, a different channel with
    // no order relative to the group's, so it may only be asked once the group's query has answered.)
    expect((await group.stateOnAll('x'))[1].enabled).toBe(true);
    expect((await ws[0].probe()).enabled).toEqual(['x']);
    await expect(group.disableOnAll('x')).resolves.toEqual({ applied: [0, 1, 2], down: [] });
  });

  it('resolves a broadcast in flight when the worker exits under it', async () => {
    const { group, workers: ws } = await groupOf(2);
    // Blocked, worker 1 cannot ack; let go, it exits at once, before it reads the enable.
    const blocked = await ws[0].block(0);
    const result = group.enableOnAll('x');
    blocked.release();
    await expect(result).resolves.toEqual({ applied: [0, 2], down: [1] });
    await ws[0].exited;
  });
});

describe('joining', () => {
  it('a worker that joins later gets every injection enabled on the group before addWorker resolves', async () => {
    const { group, workers: ws } = await groupOf(2);
    await group.enableOnAll('late', { parameters: { p: 'v' } });
    await group.enableOnAll('gone');
    await group.disableOnAll('gone');
    await group.enableOnAll('twice', { count: 1 });
    await group.enableOnAll('twice', { count: 5 });
    const hits = firstN(group.events({ shards: [3] }), 1, isHit);
    const late = startWorker();
    await expect(group.addWorker(late.worker)).resolves.toBe(3);
    expect((await late.probe()).enabled).toEqual(['late', 'twice']);
    expect((await group.stateOnAll('twice'))[3]).toMatchObject({ enabled: true, count: 5 });
    await expect(late.hit('late')).resolves.toEqual({ fired: 1 });
    expect((await hits)[0].event).toMatchObject({ injection: 'late', shard: 3, params: { p: 'v' } });
    await expect(group.enableOnAll('all4')).resolves.toEqual({ applied: [0, 1, 2, 3], down: [] });
    expect(ws.length).toBe(2);
  });

  it('meets a worker whichever comes first: attachShard() or addWorker()', async () => {
    const { group } = newGroup();
    await group.enableOnAll('x');
    // addWorker first, attach later.
    const a = startWorker('commanded-shard', { attach: false });
    await a.ready;
    const added = group.addWorker(a.worker);
    await expect(a.command('attach')).resolves.toBe(1);
    await expect(added).resolves.toBe(1);
    // attachShard first (its hello is heard by nobody), addWorker later.
    const b = startWorker('commanded-shard', { attach: false });
    await b.ready;
    const attaching = b.command('attach');
    await b.probe();
    await expect(group.addWorker(b.worker)).resolves.toBe(2);
    await expect(attaching).resolves.toBe(2);
    expect((await b.probe()).enabled).toEqual(['x']);
  });

  it('refuses a worker that already belongs to a group, until that group lets it go', async () => {
    const { group } = newGroup();
    const other = newGroup().group;
    const w = startWorker();
    await group.addWorker(w.worker);
    for (const g of [group, other]) {
      expectError(await g.addWorker(w.worker).catch((e: unknown) => e), ShardAttachError, {
        code: 'ERR_FAULTLINE_SHARD_ATTACH',
        message: `worker thread ${w.worker.threadId} already belongs to a shard group`,
      });
    }
    await group.close();
    expect((await w.probe()).hitsObserved).toBe(false);
    // Detached, the worker can attach again, to another group.
    const again = other.addWorker(w.worker);
    await expect(w.command('attach')).resolves.toBe(1);
    await expect(again).resolves.toBe(1);
  });

  it('rejects addWorker for a worker that exits before attaching, has exited, or does not attach in time', async () => {
    const { group } = newGroup();
    const quitter = startWorker('commanded-shard', { attach: false });
    await quitter.ready;
    const joining = group.addWorker(quitter.worker);
    void quitter.command('exit').catch(() => undefined);
    expectError(await joining.catch((e: unknown) => e), ShardAttachError, {
      code: 'ERR_FAULTLINE_SHARD_ATTACH',
      message: /exited before it attached$/,
    });
    expectError(await group.addWorker(quitter.worker).catch((e: unknown) => e), ShardAttachError, {
      code: 'ERR_FAULTLINE_SHARD_ATTACH',
      message: 'the worker has exited (it has no thread)',
    });
    const slow = startWorker('commanded-shard', { attach: false });
    await slow.ready;
    expectError(await group.addWorker(slow.worker, { timeout: 50 }).catch((e: unknown) => e), ShardAttachError, {
      code: 'ERR_FAULTLINE_SHARD_ATTACH',
      message: `worker thread ${slow.worker.threadId} did not call attachShard() within 50 ms`,
    });
    // Nothing of the failed attempt is left: the same worker joins on a second try.
    const retry = group.addWorker(slow.worker);
    await expect(slow.command('attach')).resolves.toBe(1);
    await expect(retry).resolves.toBe(1);
    expect(group.shards.map((s) => s.shard)).toEqual([0, 1]);
    await expect(group.addWorker(slow.worker, { timeout: -1 })).rejects.toThrow(
      'addWorker timeout must be a positive number of ms, got -1',
    );
    await expect(group.addWorker({} as never)).rejects.toThrow('addWorker expects a Worker from node:worker_threads');
  });

  it('rejects a bad addWorker argument with ShardGroupOptionError, claiming nothing', async () => {
    const { group } = newGroup();
    const w = startWorker('commanded-shard', { attach: false });
    await w.ready;
    for (const [timeout, shown] of [[-1, '-1'], [0, '0'], [Infinity, 'Infinity'], ['50', '50']] as const) {
      expectError(await group.addWorker(w.worker, { timeout: timeout as number }).catch((e: unknown) => e), ShardGroupOptionError, {
        code: 'ERR_FAULTLINE_SHARD_OPTION',
        message: `addWorker timeout must be a positive number of ms, got ${shown}`,
      });
    }
    for (const notAWorker of [{}, null, 42]) {
      expectError(await group.addWorker(notAWorker as never).catch((e: unknown) => e), ShardGroupOptionError, {
        code: 'ERR_FAULTLINE_SHARD_OPTION',
        message: 'addWorker expects a Worker from node:worker_threads',
      });
    }
    // Nothing was claimed or opened by the refused calls: the worker joins as shard 1 on the first good one.
    expect(group.shards.length).toBe(1);
    const joining = group.addWorker(w.worker);
    await expect(w.command('attach')).resolves.toBe(1);
    await expect(joining).resolves.toBe(1);
  });

  it('refuses a worker that runs another copy of faultline (another shard protocol)', async () => {
    const { group } = newGroup();
    // A stand-in for an older faultline in the worker: it answers the host with another protocol version.
    const stranger = new Worker(
      `const { BroadcastChannel, threadId } = require('node:worker_threads');
       const channel = new BroadcastChannel('faultline:shard:' + threadId);
       const hello = () => channel.postMessage({ t: 'hello', version: 999 });
       channel.onmessage = hello;
       hello();`,
      { eval: true },
    );
    try {
      expectError(await group.addWorker(stranger).catch((e: unknown) => e), ShardAttachError, {
        code: 'ERR_FAULTLINE_SHARD_ATTACH',
        message: `worker thread ${stranger.threadId} runs another copy of faultline (shard protocol 999, this one speaks ${PROTOCOL_VERSION}): load one faultline in the host and its workers`,
      });
      expect(group.shards.length).toBe(1);
    } finally {
      await stranger.terminate();
    }
  });

  it('rejects a pending addWorker when the group closes', async () => {
    const { group } = newGroup();
    const w = startWorker('commanded-shard', { attach: false });
    await w.ready;
    const joining = group.addWorker(w.worker);
    await group.close();
    expectError(await joining.catch((e: unknown) => e), ShardGroupClosedError, {
      code: 'ERR_FAULTLINE_GROUP_CLOSED',
      message: /^addWorker \(worker thread \d+\): the shard group is closed$/,
    });
    expectError(await group.addWorker(w.worker).catch((e: unknown) => e), ShardGroupClosedError, {
      code: 'ERR_FAULTLINE_GROUP_CLOSED',
      message: 'addWorker: the shard group is closed',
    });
  });

  it('attachShard() rejects on the main thread, and in a worker no group adds in time', async () => {
    expectError(await attachShard().catch((e: unknown) => e), ShardAttachError, {
      code: 'ERR_FAULTLINE_SHARD_ATTACH',
      message: 'attachShard() is for worker threads; the main thread is shard 0',
    });
    const lonely = startWorker('commanded-shard', { attachTimeout: 50 });
    await expect(lonely.ready).rejects.toMatchObject({
      code: 'ERR_FAULTLINE_SHARD_ATTACH',
      message: 'no ShardGroup added this worker within 50 ms',
    });
    const confused = startWorker('commanded-shard', { attachTimeout: -5 });
    await expect(confused.ready).rejects.toMatchObject({
      code: 'ERR_FAULTLINE_SHARD_OPTION',
      message: 'attachShard timeout must be a positive number of ms, got -5',
    });
  });
});

describe('validation across shards', () => {
  it('rejects a bad name or option up front: no worker sees anything', async () => {
    const { group, workers: ws } = await groupOf(3);
    for (const bad of [() => group.enableOnAll('', {}), () => group.enableOnAll('x', { count: -1 })]) {
      expect(await bad().catch((e: unknown) => e)).toBeInstanceOf(InvalidInjectionError);
    }
    for (const w of ws) expect((await w.probe()).enabled).toEqual([]);
    expect(await group.enabledOnAll()).toEqual([]);
  });

  it('reports a worker switched off (FAULTLINE=off in its env) with InjectionsOffError', async () => {
    const { group } = newGroup();
    const off = startWorker('commanded-shard', {}, { FAULTLINE: 'off' });
    await group.addWorker(off.worker);
    expectError(await group.enableOnAll('x').catch((e: unknown) => e), InjectionsOffError, {
      code: 'ERR_FAULTLINE_OFF',
      message: /cannot enable injection "x": error injection is switched off/,
    });
    // A worker switched off joining later: addWorker says why.
    const off2 = startWorker('commanded-shard', {}, { FAULTLINE: 'off' });
    expect(await group.addWorker(off2.worker).catch((e: unknown) => e)).toBeInstanceOf(InjectionsOffError);
  });
});

describe('teardown', () => {
  it('leaves no listener on any shard (main and workers) once every subscription is gone', async () => {
    const { group, main, workers: ws } = await groupOf(3, { historySize: 0 });
    const probes = (): Promise<boolean[]> => Promise.all(ws.map(async (w) => (await w.probe()).hitsObserved));
    const handlerProbes = (): Promise<boolean[]> => Promise.all(ws.map(async (w) => (await w.probe()).handlersObserved));
    // No reader and no history: nobody listens anywhere, a hit costs nothing extra.
    expect(await probes()).toEqual([false, false, false]);
    expect(hitsObserved(main)).toBe(false);
    const subs = [
      group.events().subscribe(),
      group.events({ shards: [1] }).subscribe(),
      group.events({ shards: [2, 3], handlerEvents: true }).subscribe(),
      group.events({ shards: [3], injections: ['x'], afterId: `${group.epoch}-1` }).subscribe(),
    ];
    expect(group.subscriberCounts()).toEqual([1, 2, 2, 3]);
    await group.stateOnAll('x'); // channel order: every watch change is applied once this resolves
    expect(await probes()).toEqual([true, true, true]);
    expect(await handlerProbes()).toEqual([false, true, true]);
    expect(hitsObserved(main)).toBe(true);
    for (const s of subs) s.unsubscribe();
    expect(group.subscriberCounts()).toEqual([0, 0, 0, 0]);
    await group.stateOnAll('x');
    expect(await probes()).toEqual([false, false, false]);
    expect(await handlerProbes()).toEqual([false, false, false]);
    expect(hitsObserved(main)).toBe(false);
  });

  it('close completes every observable and detaches every worker', async () => {
    const { group, main, workers: ws } = await groupOf(3);
    const done = firstValueFrom(
      group.events().pipe(
        map((i) => i.kind),
        toArray(),
        timeout({ first: DEADLINE }),
      ),
    );
    const doneOne = firstValueFrom(group.events({ shards: [2] }).pipe(takeWhile(() => true), toArray()));
    await group.enableOnAll('x');
    await ws[0].hit('x');
    await group.stateOnAll('x');
    await group.close();
    expect(await done).toEqual(['hit']);
    expect(await doneOne).toEqual([]);
    expect(hitsObserved(main)).toBe(false);
    for (const w of ws) expect((await w.probe()).hitsObserved).toBe(false);
    expect(group.subscriberCounts()).toEqual([0, 0, 0, 0]);
  });
});
