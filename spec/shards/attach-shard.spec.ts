import { ErrorInjector } from '../../lib/injector';
import { ShardGroup } from '../../lib/shards/shard-group';
import type { GroupItem } from '../../lib/shards/types';
import { ShardWorker } from '../fixtures/workers/shard-worker';

// The worker side of a shard (lib/shards/attach-shard.ts) under flow control. The fixture loads the built
// package: run `npm run build` first.

/** Hang guard only: every wait below ends on an event long before this on a healthy run. */
const DEADLINE = 20_000;

let group: ShardGroup | undefined;
let worker: ShardWorker | undefined;

afterEach(async () => {
  await group?.close();
  await worker?.stop();
  group = worker = undefined;
});

describe('attachShard under flow control', () => {
  // 40 full batches of 1024: the worker posts 32 (its in-flight limit) and holds the last 8 192 back until
  // the host credits it. The host never gets the chance: its thread is blocked until the worker is done, and
  // the very next thing it does is broadcast a control. The worker must post what it held before its ack,
  // or the broadcast resolves while 8 192 hits that came before it are still in the worker.
  const BURST = 40 * 1024;

  it('an ack never overtakes hits the worker held back while the host was behind', async () => {
    group = new ShardGroup({ injector: new ErrorInjector({ enabled: true }) });
    worker = new ShardWorker('commanded-shard');
    await group.addWorker(worker.worker);
    await group.enableOnAll('burst');
    let received = 0;
    const counting = group.events({ shards: [1] }).subscribe((item: GroupItem) => {
      if (item.kind === 'hit') received++;
    });
    try {
      const flag = new SharedArrayBuffer(8);
      const cells = new Int32Array(flag);
      const burst = worker.hit('burst', 'lambda', BURST);
      // Commands run in order: once the worker reports itself blocked, the burst's loop is over.
      const blocked = worker.command('block', { flag });
      // Synchronously, so this thread reads no batch and sends no credit meanwhile.
      while (Atomics.load(cells, 1) === 0) {
        if (Atomics.wait(cells, 1, 0, DEADLINE) === 'timed-out') throw new Error('the worker never blocked');
      }
      const disabled = group.disableOnAll('burst');
      Atomics.store(cells, 0, 1);
      Atomics.notify(cells, 0);

      await expect(disabled).resolves.toEqual({ applied: [0, 1], down: [] });
      expect(received).toBe(BURST);
      await expect(burst).resolves.toEqual({ fired: BURST });
      await expect(blocked).resolves.toBe('unblocked');
      expect(group.droppedCounts()).toEqual([0, 0]);
    } finally {
      counting.unsubscribe();
    }
  });

  it('counts the hits a worker could not hold while the host was behind', async () => {
    // Guard for the test above: it only proves something if the worker really was behind.
    group = new ShardGroup({ injector: new ErrorInjector({ enabled: true }) });
    worker = new ShardWorker('commanded-shard');
    await group.addWorker(worker.worker);
    await group.enableOnAll('burst');
    const flag = new SharedArrayBuffer(8);
    const cells = new Int32Array(flag);
    // 32 batches in flight plus 100 000 held: the rest are dropped and counted, never waited on.
    const burst = worker.hit('burst', 'lambda', 32 * 1024 + 100_000 + 5);
    const blocked = worker.command('block', { flag });
    while (Atomics.load(cells, 1) === 0) {
      if (Atomics.wait(cells, 1, 0, DEADLINE) === 'timed-out') throw new Error('the worker never blocked');
    }
    const disabled = group.disableOnAll('burst');
    Atomics.store(cells, 0, 1);
    Atomics.notify(cells, 0);
    await disabled;
    await burst;
    await blocked;
    expect(group.droppedCounts()).toEqual([0, 5]);
  });
});
