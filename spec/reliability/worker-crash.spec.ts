import type { Subscription } from 'rxjs';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import type { GroupItem } from '../../lib/shards';
import { API, call } from '../server/support/http';
import { SseClient, type SseMessage } from '../server/support/sse-client';
import { until } from '../server/support/until';
import { CrashingShard } from './support/crashing-shard';
import { CycleNames, DeliveryWindow, GroundTruth } from './support/delivery';
import { HttpEventStream } from './support/http-stream';
import { closeStands, onCleanup, startStand, trackStream, trackWorker } from './support/stand';

// A worker shard dies while it is in the middle of a synchronous burst of hits, while the other shards (the main
// thread and two commanded workers) are hitting too. The workers run the BUILT package: `npm run build` first.
//
// Bounds: 3 cases; per case about 2 800 hits on the dying shard, and rounds of 3 x 400 on the others while it
// dies (at most 200) and 2 more after.

afterEach(closeStands);

const PER_ROUND = 400;
/** Reaches before the crash; not a multiple of BURST, so the thread dies inside a synchronous burst. */
const CRASH_AT = 2_777;
const BURST = 250;
/** Hits of the dying shard seen before the host terminates it (the 'terminate' case: it may be blocked by then). */
const TERMINATE_AFTER = 2_000;
const MAX_ROUNDS = 200;
const noop = (): void => undefined;

function hitOf(m: SseMessage): { shard: number; injection: string } {
  return JSON.parse(m.data) as { shard: number; injection: string };
}

describe.each([
  ['throws an uncaught error', 'throw'],
  ['calls process.exit()', 'exit'],
  ['is terminated by the host', 'terminate'],
] as const)('a worker shard that %s mid-burst', (_what, how) => {
  test('the other shards deliver every hit in order; the loss is visible (shard-down, alive false, broadcasts say down)', async () => {
    const stand = await startStand({ workers: 2, group: { historySize: 100_000 } });
    const { group, url, main, api } = stand;
    const [w1, w2] = stand.workers;
    const crasher = trackWorker(
      new CrashingShard({ prefix: 'crash-', cycle: 37, burst: BURST, crashAt: CRASH_AT, how: how === 'terminate' ? 'block' : how }),
    );
    expect(await group.addWorker(crasher.worker)).toBe(3);
    await crasher.ready;
    const healthy = new CycleNames('ok-', 31);
    const crashNames = new CycleNames('crash-', 37);
    const truth = new GroundTruth(group);
    for (const name of [...healthy.names, ...crashNames.names]) await api.enable(name);

    // Readers: our client, a plain SSE reader that asked for shard-down notices, one that reads only the dying
    // shard, and an in-process subscriber of the group.
    const stream = trackStream(await openInjectionStream(url, { replay: 1 }));
    const clientWindow = new DeliveryWindow(truth, 'faultline client', truth.lastSeq);
    const clientHits: { shard: number; injection: string }[] = [];
    const sub: Subscription = stream.injection$.subscribe((e) => {
      clientWindow.receive(e.id, e.shard, e.injection);
      clientHits.push(e);
    });
    onCleanup(() => sub.unsubscribe());
    const watcher = await SseClient.open(`${url}${API}/events?shard_down=1`);
    const onlyDying = await SseClient.open(`${url}${API}/events?shard=3&shard_down=1`);
    onCleanup(() => (watcher.close(), onlyDying.close()));
    const groupNotices: GroupItem[] = [];
    const noticeSub = group.events({ shardEvents: true }).subscribe((item) => {
      if (item.kind !== 'hit') groupNotices.push(item);
    });
    onCleanup(() => noticeSub.unsubscribe());
    const openSeq = truth.lastSeq;

    const fired = [0, 0, 0];
    const round = async (): Promise<void> => {
      const replies = Promise.all(
        [w1, w2].map((w, i) => w.command<{ fired: number }>('hit', { names: healthy.next(i + 1, PER_ROUND) })),
      );
      for (const name of healthy.next(0, PER_ROUND)) main.inject(name, noop);
      fired[0] += PER_ROUND;
      const [a, b] = await replies;
      fired[1] += a.fired;
      fired[2] += b.fired;
    };
    let exitCode: number | undefined;
    void crasher.exited.then((code) => (exitCode = code));

    crasher.go();
    let rounds = 0;
    let terminating = false;
    // The healthy shards keep hitting while the other one runs and dies, then go on for two more rounds.
    while (exitCode === undefined) {
      if (++rounds > MAX_ROUNDS) throw new Error(`the dying shard did not die within ${MAX_ROUNDS} rounds`);
      await round();
      if (how === 'terminate' && !terminating && truth.count(3) >= TERMINATE_AFTER) {
        terminating = true;
        void crasher.worker.terminate();
      }
    }
    await round();
    await round();
    expect(exitCode).toBe(how === 'exit' ? 3 : 1);
    if (how === 'throw') expect(crasher.error?.message).toBe(`crashing-shard: crashed on purpose after ${CRASH_AT} hits`);

    // Visible: a shard-down notice to every reader that asked, the reader of only that shard is ended (see the
    // known bug below for how), the group marks it down, every broadcast names it in `down`, and it cannot be
    // asked for any more.
    const down = await watcher.next((m) => m.event === 'shard-down', 'a shard-down notice');
    expect(JSON.parse(down.data)).toEqual({ shard: 3 });
    await onlyDying.waitForEnd();
    expect(groupNotices.map((i) => i.kind === 'shard-down' && i.shard)).toEqual([3]);
    expect(group.shards.map((s) => s.alive)).toEqual([true, true, true, false]);
    const enabled = await call(url, 'POST', `${API}/injection/after-crash`);
    expect(enabled.status).toBe(200);
    expect(enabled.headers['faultline-shards-down']).toBe('3');
    expect(await group.enableOnAll('after-crash-too')).toEqual({ applied: [0, 1, 2], down: [3] });
    expect(await api.get('after-crash')).toEqual([{ enabled: true }, { enabled: true }, { enabled: true }, { enabled: false }]);
    const refused = await call(url, 'GET', `${API}/events`, { query: '?shard=3' });
    expect(refused.status).toBe(400);
    expect(stand.server.stats().subscriptions[3]).toBe(0);
    expect(group.subscriberCounts()[3]).toBe(0);

    // Unaffected: every hit of the other shards reached the group, in each shard's order, none dropped.
    await until(() => [0, 1, 2].every((s) => truth.count(s) >= fired[s]), 'every healthy hit to be ingested');
    expect([truth.count(0), truth.count(1), truth.count(2)]).toEqual(fired);
    expect(group.droppedCounts()).toEqual([0, 0, 0, 0]);
    truth.assertIntact();
    expect(healthy.checkOrder(truth.hits(), 'group')).toEqual([]);
    // The dying shard's hits that made it are a prefix of what it reached, in order.
    const dyingHits = [...truth.hits()].filter((h) => h.shard === 3);
    expect(dyingHits[0]?.injection).toBe('crash-0');
    expect(crashNames.checkOrder(dyingHits, 'dying shard')).toEqual([]);
    if (how !== 'terminate') expect(dyingHits.length).toBeLessThanOrEqual(CRASH_AT);
    // A process.exit() is an orderly exit: the shard posts what it holds from its exit handler, so none is lost.
    if (how === 'exit') expect(dyingHits).toHaveLength(CRASH_AT);

    // And every reader got exactly what the group ingested while it was connected, dying shard included.
    const last = truth.lastSeq;
    await until(() => clientWindow.drainedTo(last), 'the client to receive every hit');
    const watcherWindow = new DeliveryWindow(truth, 'shard_down reader', openSeq);
    const dyingWindow = new DeliveryWindow(truth, 'shard 3 reader', openSeq, { shards: new Set([3]) });
    await watcher.waitForHits(last - openSeq);
    for (const m of watcher.hits) watcherWindow.receive(m.id, hitOf(m).shard, hitOf(m).injection);
    for (const m of onlyDying.hits) dyingWindow.receive(m.id, hitOf(m).shard, hitOf(m).injection);
    for (const w of [clientWindow, watcherWindow]) w.close(last);
    // The reader of only the dying shard: gap-free and in order up to where its stream ended; all of it when
    // the stream ended cleanly (with the notice last).
    if (onlyDying.endedCleanly) {
      dyingWindow.close(last);
      expect(onlyDying.messages[onlyDying.messages.length - 1]).toMatchObject({ event: 'shard-down', data: '{"shard":3}' });
    } else {
      dyingWindow.close();
    }
    expect([...clientWindow.errors, ...watcherWindow.errors, ...dyingWindow.errors]).toEqual([]);
    expect(clientWindow.delivered).toBe(last - openSeq);
    expect(healthy.checkOrder(clientHits, 'client')).toEqual([]);
    expect(crashNames.checkOrder(clientHits, 'client')).toEqual([]);
  });
});

describe('a reader of only the shard that goes down', () => {
  // When a worker shard goes down, the group completes the subscriptions that read only that shard and the server
  // ends those streams. A client that is merely behind then (normal after a burst) must still get the queued tail
  // and the shard-down notice it asked for: it cannot resume, since a stream of only a down shard is a 400.
  // (This found a bug: end() used to cut a client whose writes were backed up.)
  test('gets every hit of that shard and the shard-down notice, then a clean end, even if it was behind', async () => {
    const stand = await startStand({ workers: 1, server: { maxBufferBytes: 256 * 1024 * 1024, heartbeatMs: 0 } });
    const [w1] = stand.workers;
    await stand.api.enable('x', { parameters: { pad: 'p'.repeat(1000) } });
    const reader = await HttpEventStream.open(`${stand.url}${API}/events?shard=1&shard_down=1`, { paused: true });
    onCleanup(() => reader.close());
    let fired = 0;
    // Behind for sure: past the kernel's socket buffers, Node itself holds megabytes, so writes are waiting.
    while (stand.server.stats().bufferedBytes < 2 * 1024 * 1024) fired += (await w1.hit('x', 'enter', 1000)).fired;
    void w1.command('exit', { code: 0 }).catch(() => undefined);
    await w1.exited;
    await until(() => !stand.group.shards[1].alive, 'shard 1 to be down');
    await reader.readToClose();
    expect({ hits: reader.hits.length, named: reader.named.map((m) => m.event), clean: reader.clean }).toEqual({
      hits: fired,
      named: ['shard-down'],
      clean: true,
    });
    expect(stand.server.stats().streamsCut).toBe(0);
  });
});
