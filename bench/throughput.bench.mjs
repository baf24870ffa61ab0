// Throughput of the event stream: events per second delivered to, and parsed by, 1 client and 64 clients,
// faultline end to end (its server, and its own client at default options: the user's path) against
// better-sse on a plain node:http server read by a bare client (undici's request + eventsource-parser +
// JSON.parse per event, nothing else).
//
// Two processes: the APP (a child) hits an enabled point N times as fast as it can (bursts of BURST hits, then
// setImmediate, so the server gets to write between bursts as in an app doing I/O) and owns both servers; the
// TEST (this process) holds the clients and counts what each delivers (faultline: events on `injection$`,
// decoded, checked, stamped; the bare client: JSON.parse of each message's data). Time = from the first hit
// (app's clock) to the moment the last client has all N (test's clock; both read the system-wide monotonic
// clock).
//
//   faultline   injector -> ShardGroup (default history) -> createInjectionServer: each hit serialised once,
//               frames of a tick coalesced into one write per client. maxBufferBytes is raised to 1 GiB so a
//               client that falls behind during the blast is not cut (better-sse never cuts anyone).
//   better-sse  another injector's hits$ -> Channel.broadcast(event) to a Session per client (better-sse 0.16,
//               its defaults: JSON serializer, one res.write per event per session). The event id is passed in
//               faultline's format (`<epoch>-<seq>`), so both streams carry the same bytes of data and id;
//               better-sse adds its `event:message` line.
//
// better-sse is a dev dependency for this comparison only.
// Rounds alternate the two servers, each with fresh clients; figures are medians over ROUNDS.
// `npm run bench -- throughput`. Target: faultline at least 2x better-sse, with 1 and with 64 clients.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { openBare } from './support/bare-client.mjs';
import { startChild, serveCalls } from './support/child.mjs';
import { fmtRate, machineLine, median, nowMs } from './support/stats.mjs';

const ROUNDS = 5;
const CASES = [
  { clients: 1, events: 60_000 },
  { clients: 64, events: 3_000 },
];
const BURST = 500;
const TARGET = 2;
const POINT = 'bench_point';
const PARAMS = { node: 'n1', table: 'ks.t' };
const DEADLINE_MS = 60_000;
// BENCH_TARGET=faultline (or better-sse) runs that setup alone, for a CPU profile of it (BENCH_CHILD_PROFILE).
const TARGETS = ['faultline', 'better-sse'].filter((t) => !process.env.BENCH_TARGET || t === process.env.BENCH_TARGET);

/** CPU time this process has used, user + system, in milliseconds. */
function cpuMs() {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

// ---- the app process -----------------------------------------------------------------------------------------

async function app() {
  const { ErrorInjector } = await import('../dist/esm/index.mjs');
  const { ShardGroup, createInjectionServer } = await import('../dist/esm/server.mjs');
  const { createSession, createChannel } = await import('better-sse');

  const ours = new ErrorInjector();
  const group = new ShardGroup({ injector: ours });
  const server = await createInjectionServer({ port: 0, shards: group, maxBufferBytes: 1024 ** 3 });
  ours.enable(POINT, { parameters: PARAMS });

  const theirs = new ErrorInjector();
  theirs.enable(POINT, { parameters: PARAMS });
  const channel = createChannel();
  const epoch = 'bsse' + Date.now().toString(36);
  let seq = 0;
  theirs.hits$.subscribe((event) => channel.broadcast(event, 'message', { eventId: `${epoch}-${++seq}` }));
  const plain = createServer((req, res) => {
    createSession(req, res).then((session) => channel.register(session));
  });
  await new Promise((resolve) => plain.listen(0, '127.0.0.1', resolve));

  const injectors = { faultline: ours, 'better-sse': theirs };
  const tick = () => new Promise((resolve) => setImmediate(resolve));
  serveCalls({
    ready: () => ({ faultline: server.url, 'better-sse': `http://127.0.0.1:${plain.address().port}` }),
    async blast({ target, events }) {
      const injector = injectors[target];
      globalThis.gc?.();
      await tick();
      const cpu0 = cpuMs();
      const t0 = nowMs();
      for (let sent = 0; sent < events; ) {
        for (let i = 0; i < BURST && sent < events; i++, sent++) injector.enter(POINT);
        await tick();
      }
      return { t0, produced: nowMs() - t0, cpu0 };
    },
    sessions: () => ({ faultline: server.stats().streams, 'better-sse': channel.sessionCount }),
    cpu: () => cpuMs(),
    async stop() {
      plain.closeAllConnections();
      plain.close();
      await server.close();
      await group.close();
    },
  });
}

// ---- the test process ----------------------------------------------------------------------------------------

async function main() {
  const started = nowMs();
  console.log(machineLine());
  const { openInjectionStream } = await import('../dist/esm/client.mjs');
  const appProcess = await startChild(fileURLToPath(import.meta.url), ['--app']);
  const urls = await appProcess.call('ready');

  async function round(target, clients, events) {
    let complete = 0;
    let lastAt = 0;
    let done;
    const allIn = new Promise((resolve) => (done = resolve));
    const counter = () => {
      let n = 0;
      return () => {
        if (++n === events && ++complete === clients) {
          lastAt = nowMs();
          done();
        }
      };
    };
    let closeAll;
    if (target === 'faultline') {
      const streams = await Promise.all(Array.from({ length: clients }, () => openInjectionStream(urls[target])));
      const subs = streams.map((stream) => stream.injection$.subscribe(counter()));
      closeAll = async () => {
        for (const s of subs) s.unsubscribe();
        await Promise.all(streams.map((s) => s.close()));
      };
    } else {
      const bare = await Promise.all(Array.from({ length: clients }, () => openBare(urls[target], counter())));
      while ((await appProcess.call('sessions'))[target] < clients) await new Promise((r) => setTimeout(r, 5));
      closeAll = () => Promise.all(bare.map((b) => b.close()));
    }
    globalThis.gc?.();
    const testCpu0 = cpuMs();
    const { t0, produced, cpu0: appCpu0 } = await appProcess.call('blast', { target, events });
    const timer = setTimeout(done, DEADLINE_MS);
    await allIn;
    clearTimeout(timer);
    const testCpu = cpuMs() - testCpu0;
    const appCpu = (await appProcess.call('cpu')) - appCpu0;
    await closeAll();
    if (complete !== clients) throw new Error(`${target}: only ${complete}/${clients} clients got all ${events} events`);
    const seconds = (lastAt - t0) / 1000;
    const delivered = events * clients;
    return {
      perClient: events / seconds,
      total: delivered / seconds,
      produced,
      appUs: (appCpu * 1000) / delivered,
      testUs: (testCpu * 1000) / delivered,
    };
  }

  const results = [];
  for (const { clients, events } of CASES) {
    const r = { clients, events, faultline: [], 'better-sse': [] };
    for (const target of TARGETS) await round(target, clients, Math.min(events, 2000)); // warm-up

    for (let i = 0; i < ROUNDS; i++) {
      for (const target of i % 2 ? [...TARGETS].reverse() : TARGETS) {
        r[target].push(await round(target, clients, events));
      }
    }
    results.push(r);
  }

  console.log(`\nevents delivered and parsed per second (${ROUNDS} rounds each, medians; bursts of ${BURST} hits per tick)`);
  console.log('| clients x events | faultline (all clients) | better-sse + bare client (all clients) | per client: faultline / better-sse | ratio |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  let met = true;
  for (const r of results) {
    const f = median(r.faultline.map((x) => x.total));
    const b = median(r['better-sse'].map((x) => x.total));
    const ratio = f / b;
    if (ratio < TARGET) met = false;
    console.log(
      `| ${r.clients} x ${r.events} | ${fmtRate(f)} | ${fmtRate(b)} | ` +
        `${fmtRate(median(r.faultline.map((x) => x.perClient)))} / ${fmtRate(median(r['better-sse'].map((x) => x.perClient)))} | ` +
        `${ratio.toFixed(2)}x |`,
    );
    console.log(
      `|   (time the app spent producing: faultline ${median(r.faultline.map((x) => x.produced)).toFixed(0)} ms, ` +
        `better-sse ${median(r['better-sse'].map((x) => x.produced)).toFixed(0)} ms) | | | | |`,
    );
    const us = (target, key) => median(r[target].map((x) => x[key])).toFixed(2);
    console.log(
      `|   (CPU per event delivered, server / clients: faultline ${us('faultline', 'appUs')} / ${us('faultline', 'testUs')} us, ` +
        `better-sse ${us('better-sse', 'appUs')} / ${us('better-sse', 'testUs')} us) | | | | |`,
    );
  }
  if (TARGETS.length < 2) {
    console.log(`\none setup only (BENCH_TARGET=${process.env.BENCH_TARGET}): no ratio`);
  } else {
    console.log(
      `\nthroughput, faultline end to end vs better-sse + bare undici/eventsource-parser client: ` +
        `target >= ${TARGET}x with 1 and 64 clients: ${met ? 'met' : 'MISSED'}`,
    );
  }
  await appProcess.stop();
  console.log(`(${((nowMs() - started) / 1000).toFixed(1)} s)`);
}

if (process.argv[2] === '--app') await app();
else await main();
