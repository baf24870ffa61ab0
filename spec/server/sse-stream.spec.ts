import { API, call } from './support/http';
import { openRawStream } from './support/raw-stream';
import { closeAll, startServer, track } from './support/servers';
import { SseClient } from './support/sse-client';
import { until } from './support/until';

afterEach(closeAll);

describe('event streams under vanishing and stalled clients', () => {
  test('200 streams cut abruptly (some mid-write, some with RST) leave zero subscriptions; another client goes on', async () => {
    const { url, server, injector } = await startServer();
    const survivor = track(await SseClient.open(`${url}${API}/events`));
    const raws = [];
    for (let i = 0; i < 200; i++) raws.push(await openRawStream(url, i % 2 === 0 ? '' : '?injection=x&type=lambda'));
    await until(() => server.stats().streams === 201, '201 open streams');
    expect(server.stats().subscriptions).toEqual([201]);

    injector.enable('x', { parameters: { pad: 'p'.repeat(2000) } });
    // Cut every socket while events are being written to it: a hit, then a cut, interleaved.
    raws.forEach(({ socket }, i) => {
      injector.enter('x');
      if (i % 3 === 0) socket.resetAndDestroy();
      else socket.destroy();
    });
    await until(() => server.stats().streams === 1, 'the cut streams to be gone');
    expect(server.stats().subscriptions).toEqual([1]);
    expect(server.stats().streamsCut).toBe(0);

    injector.enter('x');
    const hits = await survivor.waitForHits(201);
    expect(hits.map((m) => Number(String(m.id).split('-')[1]))).toEqual(Array.from({ length: 201 }, (_, i) => i + 1));
    survivor.close();
    await until(() => server.stats().streams === 0 && server.stats().subscriptions[0] === 0, 'no streams');
    expect(server.stats().requests).toBe(0);
  });

  test('a paused reader is cut off at maxBufferBytes while inject() goes on and other clients get everything', async () => {
    const maxBufferBytes = 1024 * 1024;
    const { url, server, injector } = await startServer({ maxBufferBytes, heartbeatMs: 0 });
    const reader = track(await SseClient.open(`${url}${API}/events`));
    const paused = await openRawStream(url);
    paused.socket.pause();
    const pausedClosed = new Promise<void>((resolve) => paused.socket.once('close', () => resolve()));

    injector.enable('x', { parameters: { pad: 'p'.repeat(1000) } });
    let fired = 0;
    // Keep hitting until the server gives up on the paused client; the kernel's socket buffers take a few MB first.
    while (server.stats().streamsCut === 0) {
      if (fired > 200_000) throw new Error('the paused client was never cut off');
      for (let i = 0; i < 100; i++) {
        injector.enter('x');
        fired++;
      }
      // Memory stays bounded: per stream, at most maxBufferBytes waiting plus one chunk in Node's buffer.
      expect(server.stats().bufferedBytes).toBeLessThan(2 * (maxBufferBytes + 100 * 1024));
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(server.stats().streamsCut).toBe(1);
    expect(server.stats().streams).toBe(1);
    expect(server.stats().subscriptions).toEqual([1]);
    expect(injector.get('x').hits).toBe(fired);

    // The paused client finds its connection gone once it reads again.
    paused.socket.resume();
    await pausedClosed;

    // The reader that kept up got every hit, in order, none lost.
    const hits = await reader.waitForHits(fired);
    expect(hits).toHaveLength(fired);
    expect(Number(String(hits[fired - 1].id).split('-')[1])).toBe(fired);
    expect((await call(url, 'GET', `${API}/injection/x/enters`)).json).toBe(fired);
  });

  test('a cut-off client resumes from the history with Last-Event-ID and misses nothing', async () => {
    const { url, server, injector } = await startServer({ maxBufferBytes: 64 * 1024, heartbeatMs: 0 }, { historySize: 100_000 });
    injector.enable('x', { parameters: { pad: 'p'.repeat(500) } });
    const paused = await openRawStream(url);
    paused.socket.pause();
    let fired = 0;
    while (server.stats().streamsCut === 0) {
      if (fired > 90_000) throw new Error('never cut off');
      for (let i = 0; i < 50; i++, fired++) injector.enter('x');
      await new Promise((resolve) => setImmediate(resolve));
    }
    paused.socket.destroy();
    // It resumes after event 1; the replay (megabytes, far past maxBufferBytes) is not cut off again.
    const resumed = track(await SseClient.open(`${url}${API}/events`, { 'last-event-id': `${server.shards.epoch}-1` }));
    // Live hits while it is still catching up count against the bound; the replay before them does not.
    for (let i = 0; i < 50; i++, fired++) injector.enter('x');
    const hits = await resumed.waitForHits(fired - 1);
    expect(hits[0].id).toBe(`${server.shards.epoch}-2`);
    expect(hits).toHaveLength(fired - 1);
    expect(server.stats().streamsCut).toBe(1);
  });
});
