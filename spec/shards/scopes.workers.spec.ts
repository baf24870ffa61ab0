import { filter, firstValueFrom, take, timeout, toArray } from 'rxjs';
import { ErrorInjector } from '../../lib/injector';
import { currentInjectionScope, runInInjectionScope } from '../../lib/injector/scope';
import { ShardGroup } from '../../lib/shards/shard-group';
import type { GroupHit } from '../../lib/shards/types';
import { formatWireId, parseWireId } from '../../lib/wire';
import { ShardWorker } from '../fixtures/workers/shard-worker';

// A worker shard gets a scope only when the app passes it along: here the main thread's "request handler" runs
// in a scope and sends work to a real worker thread with `scope: currentInjectionScope()` in the message; the
// worker (commanded-shard.js) runs the work under runInInjectionScope(message.scope, ...).

const DEADLINE = 20_000; // hang guard only

const groups: ShardGroup[] = [];
const workers: ShardWorker[] = [];
afterEach(async () => {
  await Promise.all(groups.splice(0).map((g) => g.close()));
  await Promise.all(workers.splice(0).map((w) => w.stop()));
});

async function groupWithWorker(): Promise<{ group: ShardGroup; main: ErrorInjector; worker: ShardWorker }> {
  const main = new ErrorInjector({ enabled: true });
  const group = new ShardGroup({ injector: main });
  groups.push(group);
  const worker = new ShardWorker('commanded-shard');
  workers.push(worker);
  await group.addWorker(worker.worker);
  return { group, main, worker };
}

/** What an app's handler does: in its request's scope, hand the work to the worker with the scope in the message. */
function handleInScope(scope: string | undefined, worker: ShardWorker, passScope: boolean): Promise<{ fired: number }> {
  const handle = async (): Promise<{ fired: number }> => {
    await Promise.resolve();
    return worker.command('hit', { name: 'x', kind: 'enter', ...(passScope ? { scope: currentInjectionScope() } : {}) });
  };
  return scope === undefined ? handle() : runInInjectionScope(scope, handle);
}

describe('scopes on a worker shard', () => {
  test('the worker fires a scoped injection only for work whose message carried that scope; its hit carries the scope', async () => {
    const { group, worker } = await groupWithWorker();
    const hits = firstValueFrom(
      group.events({ scopes: ['a'] }).pipe(
        filter((item): item is GroupHit => item.kind === 'hit'),
        take(1),
        timeout(DEADLINE),
      ),
    );
    await group.enableOnAll('x', { scope: 'a', oneShot: true });
    expect(await handleInScope(undefined, worker, true)).toEqual({ fired: 0 });
    expect(await handleInScope('b', worker, true)).toEqual({ fired: 0 });
    // The scope was not passed along: the worker's reach is unscoped, whatever scope the main thread ran in.
    expect(await handleInScope('a', worker, false)).toEqual({ fired: 0 });
    expect(await handleInScope('a', worker, true)).toEqual({ fired: 1 });
    expect(await handleInScope('a', worker, true)).toEqual({ fired: 0 }); // its one-shot is spent on that shard
    const hit = await hits;
    expect(hit.event).toMatchObject({ injection: 'x', shard: 1, scope: 'a' });
    expect(hit.frame).toMatch(/"scope":"a"\}\n\n$/);
  });

  test("one batch of a worker's scoped and unscoped hits: each keeps its scope and parameters, live and replayed from the history", async () => {
    const { group, worker } = await groupWithWorker();
    await group.enableOnAll('x', { scope: 'a', oneShot: true, parameters: { from: 'a' } });
    await group.enableOnAll('x', { parameters: { from: 'all' } });
    const isHit = (item: { kind: string }): item is GroupHit => item.kind === 'hit';
    const live = firstValueFrom(group.events().pipe(filter(isHit), take(3), toArray(), timeout(DEADLINE)));
    // One command, one synchronous loop on the worker: its three hits cross in one batch. The first takes the
    // scope's one-shot; the next two fall through to the unscoped enablement.
    expect(await worker.command('hit', { names: ['x', 'x', 'x'], kind: 'enter', scope: 'a' })).toEqual({ fired: 3 });
    const hits = await live;
    expect(hits.map((h) => [h.event.shard, h.event.scope, h.event.params])).toEqual([
      [1, 'a', { from: 'a' }],
      [1, undefined, { from: 'all' }],
      [1, undefined, { from: 'all' }],
    ]);
    expect(hits.map((h) => 'scope' in h.event)).toEqual([true, false, false]);
    expect(hits[0].frame).toMatch(/,"params":\{"from":"a"\},"scope":"a"\}\n\n$/);
    expect(hits[1].frame).toMatch(/,"params":\{"from":"all"\}\}\n\n$/);

    const first = parseWireId(hits[0].id) as { epoch: string; seq: number };
    const before = formatWireId(first.epoch, first.seq - 1);
    const replayed = await firstValueFrom(group.events({ afterId: before }).pipe(filter(isHit), take(3), toArray(), timeout(DEADLINE)));
    expect(replayed.map((h) => h.frame)).toEqual(hits.map((h) => h.frame));
    expect(replayed.map((h) => h.event)).toEqual(hits.map((h) => h.event));
    const ofA = await firstValueFrom(group.events({ afterId: before, scopes: ['a'] }).pipe(filter(isHit), take(1), timeout(DEADLINE)));
    expect(ofA.frame).toBe(hits[0].frame);
  });

  test('two scopes on the worker, in parallel: each one-shot taken by its own work only', async () => {
    const { group, worker } = await groupWithWorker();
    await group.enableOnAll('x', { scope: 'a', oneShot: true });
    await group.enableOnAll('x', { scope: 'b', oneShot: true });
    const collected = firstValueFrom(
      group.events().pipe(
        filter((item): item is GroupHit => item.kind === 'hit'),
        take(2),
        toArray(),
        timeout(DEADLINE),
      ),
    );
    const results = await Promise.all(
      ['a', 'b', 'a', 'b', 'a', 'b'].map((scope) => handleInScope(scope, worker, true).then((r) => [scope, r.fired] as const)),
    );
    const firedBy = (scope: string) => results.filter(([s, fired]) => s === scope && fired === 1).length;
    expect([firedBy('a'), firedBy('b')]).toEqual([1, 1]);
    expect((await collected).map((h) => h.event.scope).sort()).toEqual(['a', 'b']);
  });

  test('disable with a scope reaches the worker and leaves its other scopes; a worker that joins later gets the scoped enables', async () => {
    const { group, worker } = await groupWithWorker();
    await group.enableOnAll('x', { scope: 'a' });
    await group.enableOnAll('x', { scope: 'b' });
    await group.disableOnAll('x', { scope: 'a' });
    expect(await handleInScope('a', worker, true)).toEqual({ fired: 0 });
    expect(await handleInScope('b', worker, true)).toEqual({ fired: 1 });
    const states = await group.stateOnAll('x', { scope: 'b' });
    expect(states.map((s) => [s.enabled, s.scope])).toEqual([
      [true, 'b'],
      [true, 'b'],
    ]);
    const late = new ShardWorker('commanded-shard');
    workers.push(late);
    await group.addWorker(late.worker);
    expect(await handleInScope('b', late, true)).toEqual({ fired: 1 });
    expect(await handleInScope(undefined, late, true)).toEqual({ fired: 0 });
  });
});
