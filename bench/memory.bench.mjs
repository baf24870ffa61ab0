// Memory: what an idle event stream costs, on the server and in the client, and whether opening and cutting
// streams leaves anything behind.
//
// Two processes: the APP (a child: createInjectionServer on a ShardGroup, plus a better-sse Channel on a plain
// node:http server for comparison) and the TEST (this process, the clients). Memory is read with
// process.memoryUsage() after a full GC (--expose-gc), each process measuring itself.
//
//   idle streams   STREAMS streams opened and left idle (heartbeats on, no hits): the growth of heap (V8 heap
//                  used + external) and of RSS, divided by STREAMS. Server: faultline's /events against better-sse
//                  sessions (0.16, defaults) on the same clients. Client: openInjectionStream (default options:
//                  its own undici Client per node) against `eventsource` 4, on faultline's server.
//   open/cut       CYCLES times: a raw socket GETs /events, waits for `: connected`, and is cut (half close the
//                  socket, half reset it), CONCURRENCY at a time, while the app hits a point every millisecond
//                  (its history already full, so it cannot grow). The app's heap and RSS after WARMUP_CYCLES and
//                  after every quarter, and at the end the streams and shard subscriptions left. The same for the
//                  client: CLIENT_CYCLES openInjectionStream + close() against the test's own heap and RSS.
//
// `npm run bench -- memory`. Targets: no growth: after all cycles the heap is within GROWTH_LIMIT of what it was
// after the warm-up, and no stream or subscription is left (issue 7); an idle client stream at most 20 KiB of heap
// (issue 16).
import { createServer } from 'node:http';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startChild, serveCalls } from './support/child.mjs';
import { fmtBytes, machineLine, nowMs } from './support/stats.mjs';

const STREAMS = 1000;
const CYCLES = 10_000;
const WARMUP_CYCLES = 2_500;
const CLIENT_CYCLES = 3_000;
const CLIENT_WARMUP = 500;
const CONCURRENCY = 50;
const GROWTH_LIMIT = 1024 * 1024;
const CLIENT_STREAM_TARGET = 20 * 1024;
const PATH = '/v2/error_injection/events';

/** Heap and RSS after a full collection (twice: the first may leave what finalisers free). */
async function measure() {
  for (let i = 0; i < 2; i++) {
    globalThis.gc();
    await new Promise((resolve) => setImmediate(resolve));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed + m.external, rss: m.rss };
}

// ---- the app process -----------------------------------------------------------------------------------------

async function app() {
  const { ErrorInjector } = await import('../dist/esm/index.mjs');
  const { ShardGroup, createInjectionServer } = await import('../dist/esm/server.mjs');
  const { createSession, createChannel } = await import('better-sse');
  const injector = new ErrorInjector();
  const group = new ShardGroup({ injector });
  const server = await createInjectionServer({ port: 0, shards: group, maxConnections: STREAMS + 100 });
  injector.enable('bench_point', { parameters: { node: 'n1' } });

  const channel = createChannel();
  const plain = createServer((req, res) => {
    createSession(req, res).then((session) => channel.register(session));
  });
  await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve));

  let hitting;
  serveCalls({
    ready: () => ({ faultline: server.url, 'better-sse': `http://127.0.0.1:${plain.address().port}` }),
    measure,
    counts: () => ({
      faultline: server.stats().streams,
      subscriptions: server.stats().subscriptions.reduce((a, b) => a + b, 0),
      'better-sse': channel.sessionCount,
    }),
    fillHistory: () => {
      for (let i = 0; i < 10_000; i++) injector.enter('bench_point');
    },
    startHits: () => {
      hitting = setInterval(() => injector.enter('bench_point'), 1);
    },
    stopHits: () => clearInterval(hitting),
    async stop() {
      clearInterval(hitting);
      plain.closeAllConnections();
      plain.close();
      await server.close();
      await group.close();
    },
  });
}

// ---- the test process ----------------------------------------------------------------------------------------

/** A raw /events request, resolved once `: connected` (faultline) or the headers (better-sse) arrived. */
function rawStream(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () =>
      socket.write(`GET ${PATH} HTTP/1.1\r\nHost: ${hostname}\r\nAccept: text/event-stream\r\n\r\n`),
    );
    socket.once('error', reject);
    socket.once('data', () => resolve(socket));
  });
}

async function main() {
  const started = nowMs();
  console.log(machineLine());
  const { openInjectionStream } = await import('../dist/esm/client.mjs');
  const { EventSource } = await import('eventsource');
  const appProcess = await startChild(fileURLToPath(import.meta.url), ['--app']);
  const urls = await appProcess.call('ready');
  const counts = () => appProcess.call('counts');
  const until = async (what, ok) => {
    for (let i = 0; i < 2000; i++) {
      const c = await counts();
      if (ok(c)) return c;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error(`timed out waiting for ${what}: ${JSON.stringify(await counts())}`);
  };
  const perStream = (before, after) => ({ heap: (after.heap - before.heap) / STREAMS, rss: (after.rss - before.rss) / STREAMS });
  const rows = [];

  // -- idle streams, server side: raw sockets as clients (nothing of ours in the way), both servers.
  for (const target of ['faultline', 'better-sse']) {
    const before = await appProcess.call('measure');
    const sockets = [];
    for (let i = 0; i < STREAMS; i += CONCURRENCY) {
      sockets.push(...(await Promise.all(Array.from({ length: CONCURRENCY }, () => rawStream(urls[target])))));
    }
    for (const s of sockets) s.resume();
    await until(`${STREAMS} ${target} streams`, (c) => c[target] === STREAMS);
    const after = await appProcess.call('measure');
    rows.push({ side: 'server', what: target === 'faultline' ? 'faultline /events' : 'better-sse session', ...perStream(before, after) });
    for (const s of sockets) s.destroy();
    sockets.length = 0;
    await until(`${target} streams to close`, (c) => c[target] === 0);
  }

  // -- idle streams, client side: ours and eventsource, against faultline's server.
  {
    const before = await measure();
    const streams = [];
    for (let i = 0; i < STREAMS; i += CONCURRENCY) {
      streams.push(...(await Promise.all(Array.from({ length: CONCURRENCY }, () => openInjectionStream(urls.faultline)))));
    }
    await until('client streams', (c) => c.faultline === STREAMS);
    const after = await measure();
    rows.push({ side: 'client', what: 'faultline openInjectionStream', ...perStream(before, after) });
    await Promise.all(streams.map((s) => s.close()));
    streams.length = 0;
    await until('client streams to close', (c) => c.faultline === 0);
  }
  {
    const before = await measure();
    const sources = [];
    for (let i = 0; i < STREAMS; i += CONCURRENCY) {
      const batch = Array.from({ length: CONCURRENCY }, () => new EventSource(`${urls.faultline}${PATH}`));
      await Promise.all(batch.map((es) => new Promise((resolve, reject) => ((es.onopen = resolve), (es.onerror = reject)))));
      sources.push(...batch);
    }
    await until('eventsource streams', (c) => c.faultline === STREAMS);
    const after = await measure();
    rows.push({ side: 'client', what: 'eventsource 4', ...perStream(before, after) });
    for (const es of sources) es.close();
    sources.length = 0;
    await until('eventsource streams to close', (c) => c.faultline === 0);
  }

  console.log(`\nidle streams: ${STREAMS} open, growth per stream after a full GC`);
  console.log('| side | stream | heap (V8 heap used + external) | RSS |');
  console.log('| --- | --- | ---: | ---: |');
  for (const r of rows) console.log(`| ${r.side} | ${r.what} | ${fmtBytes(r.heap)} | ${fmtBytes(r.rss)} |`);
  const ratio = (a, b) => rows.find((r) => r.what === b).heap / rows.find((r) => r.what === a).heap;
  console.log(
    `heap per stream: better-sse / faultline server ${ratio('faultline /events', 'better-sse session').toFixed(2)}x, ` +
      `eventsource / faultline client ${ratio('faultline openInjectionStream', 'eventsource 4').toFixed(2)}x`,
  );
  const clientStream = rows.find((r) => r.what === 'faultline openInjectionStream').heap;
  console.log(
    `an idle client stream: ${fmtBytes(clientStream)} of heap (target <= ${fmtBytes(CLIENT_STREAM_TARGET)}: ` +
      `${clientStream <= CLIENT_STREAM_TARGET ? 'met' : 'MISSED'})`,
  );

  // -- open/cut cycles against the server, with hits flowing.
  await appProcess.call('fillHistory');
  await appProcess.call('startHits');
  const serverMarks = [];
  let done = 0;
  const cycle = async () => {
    const socket = await rawStream(urls.faultline);
    if (done++ % 2) socket.destroy();
    else socket.resetAndDestroy();
  };
  while (done < CYCLES) {
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, CYCLES - done) }, cycle));
    if (done === WARMUP_CYCLES || done % (CYCLES / 4) === 0) {
      await until('cut streams to close', (c) => c.faultline === 0);
      serverMarks.push({ cycles: done, ...(await appProcess.call('measure')) });
    }
  }
  await appProcess.call('stopHits');
  const left = await until('cut streams to close', (c) => c.faultline === 0 && c.subscriptions === 0);

  // -- open/close cycles of the client.
  const clientMarks = [];
  for (let n = 0; n < CLIENT_CYCLES; ) {
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        const stream = await openInjectionStream(urls.faultline);
        await stream.close();
      }),
    );
    n += CONCURRENCY;
    if (n === CLIENT_WARMUP || n % (CLIENT_CYCLES / 3) === 0) clientMarks.push({ cycles: n, ...(await measure()) });
  }

  let failed = false;
  const report = (label, marks) => {
    const base = marks.find((m) => m.cycles === marks[0].cycles);
    const last = marks[marks.length - 1];
    const growth = last.heap - base.heap;
    const ok = growth <= GROWTH_LIMIT;
    if (!ok) failed = true;
    console.log(
      `${label}: ${marks.map((m) => `${m.cycles}: heap ${fmtBytes(m.heap)} RSS ${fmtBytes(m.rss)}`).join('; ')}`,
    );
    console.log(
      `  growth after warm-up (${base.cycles} -> ${last.cycles} cycles): heap ${fmtBytes(growth)}, RSS ` +
        `${fmtBytes(last.rss - base.rss)} (target: heap <= ${fmtBytes(GROWTH_LIMIT)}: ${ok ? 'met' : 'MISSED'})`,
    );
  };
  console.log(`\nopen/cut cycles (${CONCURRENCY} at a time)`);
  report(`server, ${CYCLES} raw streams cut (hits every 1 ms)`, serverMarks);
  console.log(`  left after the cycles: ${left.faultline} streams, ${left.subscriptions} shard subscriptions`);
  if (left.faultline !== 0 || left.subscriptions !== 0) failed = true;
  report(`client, ${CLIENT_CYCLES} openInjectionStream + close()`, clientMarks);

  await appProcess.stop();
  console.log(`(${((nowMs() - started) / 1000).toFixed(1)} s)`);
  if (failed) process.exitCode = 1;
}

if (process.argv[2] === '--app') await app();
else await main();
