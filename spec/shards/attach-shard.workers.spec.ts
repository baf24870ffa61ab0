import { ErrorInjector } from '../../lib/injector';
import { ShardGroup } from '../../lib/shards/shard-group';
import type { BroadcastResult, GroupItem } from '../../lib/shards/types';
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

async function groupWithWorker(): Promise<{ group: ShardGroup; worker: ShardWorker }> {
  group = new ShardGroup({ injector: new ErrorInjector({ enabled: true }) });
  worker = new ShardWorker('commanded-shard');
  await group.addWorker(worker.worker);
  await group.enableOnAll('burst');
  return { group, worker };
}

/**
 * The worker reaches 'burst' `times` times in one synchronous loop while this thread is blocked (so it reads
 * no batch and sends no credit), then this thread broadcasts a disable before anything else. Resolves with
 * the broadcast's result and the hits of shard 1 the group held when it resolved.
 */
async function burstThenDisable(times: number): Promise<{ result: BroadcastResult; received: number }> {
  const { group, worker } = await groupWithWorker();
  let received = 0;
  const counting = group.events({ shards: [1] }).subscribe((item: GroupItem) => {
    if (item.kind === 'hit') received++;
  });
  try {
    const flag = new SharedArrayBuffer(8);
    const cells = new Int32Array(flag);
    const burst = worker.hit('burst', 'lambda', times);
    // Commands run in order: once the worker reports itself blocked, the burst's loop is over.
    const blocked = worker.command('block', { flag });
    while (Atomics.load(cells, 1) === 0) {
      if (Atomics.wait(cells, 1, 0, DEADLINE) === 'timed-out') throw new Error('the worker never blocked');
    }
    const disabled = group.disableOnAll('burst');
    Atomics.store(cells, 0, 1);
    Atomics.notify(cells, 0);
    const result = await disabled;
    const atAck = received;
    await expect(burst).resolves.toEqual({ fired: times });
    await expect(blocked).resolves.toBe('unblocked');
    return { result, received: atAck };
  } finally {
    counting.unsubscribe();
  }
}

describe('attachShard under flow control', () => {
  // 40 full batches of 1024: the worker posts 32 (its in-flight limit) and holds the last 8 192 back until the
  // host credits it, which it cannot before the broadcast. The worker must post what it held before its ack,
  // or the broadcast resolves while 8 192 hits that came before it are still in the worker.
  it('an ack never overtakes hits the worker held back while the host was behind', async () => {
    const burst = 40 * 1024;
    await expect(burstThenDisable(burst)).resolves.toEqual({ result: { applied: [0, 1], down: [] }, received: burst });
    expect(group?.droppedCounts()).toEqual([0, 0]);
  });

  it('counts the hits it could not hold, and delivers every one it held', async () => {
    // Guard for the test above: it only proves something if the worker really was behind. 32 batches in
    // flight plus 100 000 held; the 5 beyond are dropped and counted, never waited on.
    const delivered = 32 * 1024 + 100_000;
    await expect(burstThenDisable(delivered + 5)).resolves.toMatchObject({ received: delivered });
    expect(group?.droppedCounts()).toEqual([0, 5]);
  });
});
