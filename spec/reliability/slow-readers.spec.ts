import type { Subscription } from 'rxjs';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import { API } from '../server/support/http';
import { SseClient } from '../server/support/sse-client';
import { until } from '../server/support/until';
import { DeliveryWindow, GroundTruth, seqOf } from './support/delivery';
import { HttpEventStream, type ReadMessage } from './support/http-stream';
import { closeStands, onCleanup, startStand, trackStream } from './support/stand';

// Two laggards among fast readers, while the main thread and two worker shards hit without pause: one reader
// never reads (paused), one reads a single chunk per round of hits (slow). The server's memory for them stays
// under its bound; the fast readers get every hit; both laggards are cut, and each resumes from the history
// with Last-Event-ID and ends up with every hit exactly once. The workers run the BUILT package: `npm run
// build` first. No timing is asserted: the slow reader is slow by construction (one chunk per round), not by
// a clock.
//
// The producers wait, after each round, until the fast readers have everything so far (and never for the
// laggards): on a loaded machine a reader in this same process could otherwise fall behind by CPU starvation
// alone and be cut too. A round (3 x 100 hits of about 1.1 kB) stays well under the bound, so a fast reader is
// never cut for a burst either.
//
// Bounds: maxBufferBytes 1 MiB; at most 300 rounds (the laggards are cut once the kernel's socket buffers and
// the bound are full, some 10 MB, i.e. about 30 rounds).

afterEach(closeStands);

const MAX_BUFFER = 1024 * 1024;
/** Per stream: the bound, plus one chunk Node holds beyond it (about 64 KiB plus a frame). */
const PER_STREAM_BOUND = MAX_BUFFER + 128 * 1024;
const PER_ROUND = 100;
const MAX_ROUNDS = 300;

function shardOf(m: ReadMessage): { shard: number; injection: string } {
  return JSON.parse(m.data) as { shard: number; injection: string };
}

describe('slow and paused readers', () => {
  test('memory stays bounded, the others get every hit, the laggards are cut and catch up from history with no loss', async () => {
    const stand = await startStand({
      workers: 2,
      server: { maxBufferBytes: MAX_BUFFER, heartbeatMs: 0 },
      group: { historySize: 200_000 },
    });
    const { server, url, main, api, group } = stand;
    const truth = new GroundTruth(group);
    await api.enable('x', { parameters: { pad: 'p'.repeat(1000) } });

    const fastClient = trackStream(await openInjectionStream(url, { replay: 1 }));
    const fastClientWindow = new DeliveryWindow(truth, 'fast faultline client', truth.lastSeq);
    const subscription: Subscription = fastClient.injection$.subscribe((e) => fastClientWindow.receive(e.id, e.shard, e.injection));
    onCleanup(() => subscription.unsubscribe());
    const fastReader = await SseClient.open(`${url}${API}/events`);
    const paused = await HttpEventStream.open(`${url}${API}/events`, { paused: true });
    const slow = await HttpEventStream.open(`${url}${API}/events`, { paused: true });
    onCleanup(() => (fastReader.close(), paused.close(), slow.close()));
    const openSeq = truth.lastSeq;

    let fired = 0;
    let maxBuffered = 0;
    const checkBound = (): void => {
      const { bufferedBytes, streams } = server.stats();
      maxBuffered = Math.max(maxBuffered, bufferedBytes);
      expect(bufferedBytes).toBeLessThanOrEqual(streams * PER_STREAM_BOUND);
    };
    const round = async (): Promise<void> => {
      const replies = stand.workers.map((w) => w.hit('x', 'enter', PER_ROUND));
      for (let i = 0; i < PER_ROUND; i++) if (main.enter('x')) fired++;
      checkBound();
      for (const { fired: n } of await Promise.all(replies)) fired += n;
      checkBound();
      // Paced by the fast readers only: they must have every hit so far before the next round.
      await until(() => truth.lastSeq - openSeq === fired, 'the round to be ingested');
      const target = truth.lastSeq;
      await until(() => fastClientWindow.drainedTo(target) && fastReader.messages.length >= target - openSeq, 'the fast readers to keep up');
      checkBound();
    };

    let rounds = 0;
    while (server.stats().streamsCut < 2) {
      if (++rounds > MAX_ROUNDS) throw new Error(`the laggards were not cut within ${MAX_ROUNDS} rounds (${server.stats().streamsCut} cut)`);
      await round();
      await slow.step();
    }
    // Only the laggards were cut; the fast ones are still there and the hits go on.
    expect(server.stats()).toMatchObject({ streamsCut: 2, streams: 2 });
    expect(maxBuffered).toBeGreaterThan(0);
    await round();

    // The laggards read what reached them before the cut (a prefix, the last hit perhaps cut in half), then
    // resume after the last complete hit: one with our client, one with a plain SSE reader.
    await Promise.all([paused.readToClose(), slow.readToClose()]);
    expect([paused.clean, slow.clean]).toEqual([false, false]);
    const resumed = trackStream(
      await openInjectionStream(url, { replay: 1, headers: { 'last-event-id': String(paused.lastId) } }),
    );
    const resumedWindow = new DeliveryWindow(truth, 'paused reader', openSeq);
    for (const m of paused.hits) resumedWindow.receive(m.id, shardOf(m).shard, shardOf(m).injection);
    const resumedSub = resumed.injection$.subscribe((e) => resumedWindow.receive(e.id, e.shard, e.injection));
    onCleanup(() => resumedSub.unsubscribe());
    const slowResumed = await SseClient.open(`${url}${API}/events`, { 'last-event-id': String(slow.lastId) });
    onCleanup(() => slowResumed.close());
    // Hits go on while they catch up.
    await round();
    await round();

    await until(() => [0, 1, 2].reduce((sum, s) => sum + truth.count(s), 0) === fired, 'every hit to be ingested');
    const last = truth.lastSeq;
    expect(last - openSeq).toBe(fired);
    await until(() => fastClientWindow.drainedTo(last) && resumedWindow.drainedTo(last), 'the faultline clients to have every hit');
    await fastReader.waitForHits(fired);
    const slowWindow = new DeliveryWindow(truth, 'slow reader', openSeq);
    for (const m of slow.hits) slowWindow.receive(m.id, shardOf(m).shard, shardOf(m).injection);
    await slowResumed.waitForHits(last - seqOf(slow.lastId));
    for (const m of slowResumed.hits) slowWindow.receive(m.id, shardOf(m).shard, shardOf(m).injection);
    const fastWindow = new DeliveryWindow(truth, 'fast SSE reader', openSeq);
    for (const m of fastReader.hits) fastWindow.receive(m.id, shardOf(m).shard, shardOf(m).injection);
    const windows = [fastClientWindow, fastWindow, resumedWindow, slowWindow];
    for (const w of windows) w.close(last);
    expect(windows.flatMap((w) => w.errors)).toEqual([]);
    expect(windows.map((w) => w.delivered)).toEqual([fired, fired, fired, fired]);
    // Resumed within the history: no gap, on either reader.
    expect(resumed.gaps).toEqual([]);
    expect(slowResumed.messages.filter((m) => m.event !== undefined)).toEqual([]);
    // The laggards got something before they were cut, and most of it only after.
    expect(paused.hits.length).toBeGreaterThan(0);
    expect(paused.hits.length).toBeLessThan(fired);
    expect(slow.hits.length).toBeLessThan(fired);
    // The resumed streams were not cut although their replay is far larger than maxBufferBytes.
    expect(server.stats().streamsCut).toBe(2);
    truth.assertIntact();
  });
});
