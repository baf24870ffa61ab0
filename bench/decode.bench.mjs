// Client decode throughput: how fast a client turns an event stream into parsed events. faultline's client
// (openInjectionStream, default options: events decoded, checked, stamped and kept for replay, delivered on
// `injection$`) against the `eventsource` package (v4, the WHATWG EventSource for Node), whose consumer
// JSON.parses each `message` event's data (what a test on top of it must do to read the event).
//
// Two processes. The APP (a child) is a plain node:http server that, on request, writes N pre-serialised frames
// in faultline's wire format (`id: <epoch>-<seq>` and one `data:` line of JSON, ~140 bytes) to every open
// stream, 64 KiB per write, honouring 'drain': it does no per-event work, so the clients set the pace. The TEST
// (this process) holds one client at a time; time = from the first write (app's clock) to the last event
// delivered (test's clock; both the system-wide monotonic clock). Rounds alternate the clients, each round with
// a fresh connection; figures are medians over ROUNDS.
//
// `npm run bench -- decode`. Target: faultline's client at least 1.5x the events/s of `eventsource`.
import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startChild, serveCalls } from './support/child.mjs';
import { fmtRate, machineLine, median, nowMs } from './support/stats.mjs';

const EVENTS = 100_000;
const ROUNDS = 5;
const TARGET = 1.5;
const CHUNK = 64 * 1024;
const DEADLINE_MS = 60_000;

// ---- the app process -----------------------------------------------------------------------------------------

async function app() {
  const open = new Set();
  const server = createServer((req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
    res.write(': connected\nretry: 2000\n\n');
    open.add(res);
    res.on('close', () => open.delete(res));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  // The frames, as faultline's server writes them: varying ids and timestamps, one injection, two parameters.
  const epoch = Date.now().toString(36);
  const ts = Date.now();
  let text = '';
  for (let i = 1; i <= EVENTS; i++) {
    text +=
      `id: ${epoch}-${i}\ndata: {"injection":"bench_point_${i % 8}","type":"lambda","shard":${i % 4},` +
      `"ts":${ts + i},"params":{"node":"n1","table":"ks.t"}}\n\n`;
  }
  const chunks = [];
  for (let i = 0; i < text.length; i += CHUNK) chunks.push(Buffer.from(text.slice(i, i + CHUNK)));

  const writeAll = (res) =>
    new Promise((resolve) => {
      let i = 0;
      const more = () => {
        while (i < chunks.length) if (!res.write(chunks[i++])) return res.once('drain', more);
        resolve();
      };
      more();
    });
  serveCalls({
    ready: () => ({ url: `http://127.0.0.1:${server.address().port}`, bytes: text.length }),
    streams: () => open.size,
    async blast() {
      const t0 = nowMs();
      await Promise.all([...open].map(writeAll));
      return { t0, written: nowMs() - t0 };
    },
    stop() {
      server.closeAllConnections();
      server.close();
    },
  });
}

// ---- the test process ----------------------------------------------------------------------------------------

async function main() {
  const started = nowMs();
  console.log(machineLine());
  const { openInjectionStream } = await import('../dist/esm/client.mjs');
  const { EventSource } = await import('eventsource');
  const appProcess = await startChild(fileURLToPath(import.meta.url), ['--app']);
  const { url, bytes } = await appProcess.call('ready');

  const waitForStreams = async (n) => {
    for (let i = 0; i < 1000 && (await appProcess.call('streams')) !== n; i++) await new Promise((r) => setTimeout(r, 5));
  };

  /** Opens the client, has the app blast the frames, resolves with events/s once the last one is delivered. */
  const clients = {
    async faultline() {
      const stream = await openInjectionStream(url);
      let n = 0;
      let check = 0;
      const all = new Promise((resolve) =>
        stream.injection$.subscribe((event) => {
          check += event.shard;
          if (++n === EVENTS) resolve(nowMs());
        }),
      );
      return { all, close: () => stream.close(), check: () => check };
    },
    async eventsource() {
      const es = new EventSource(url);
      await new Promise((resolve, reject) => {
        es.onopen = resolve;
        es.onerror = reject;
      });
      let n = 0;
      let check = 0;
      const all = new Promise((resolve) => {
        es.onmessage = (message) => {
          check += JSON.parse(message.data).shard;
          if (++n === EVENTS) resolve(nowMs());
        };
      });
      return { all, close: () => es.close(), check: () => check };
    },
  };

  async function round(name) {
    const client = await clients[name]();
    await waitForStreams(1);
    globalThis.gc?.();
    const { t0 } = await appProcess.call('blast');
    let timer;
    const t1 = await Promise.race([client.all, new Promise((r) => (timer = setTimeout(() => r(NaN), DEADLINE_MS)))]);
    clearTimeout(timer);
    const check = client.check();
    await client.close();
    await waitForStreams(0);
    if (!(t1 > 0)) throw new Error(`${name}: not all ${EVENTS} events arrived within ${DEADLINE_MS} ms`);
    const expected = Array.from({ length: EVENTS }, (_, i) => (i + 1) % 4).reduce((a, b) => a + b, 0);
    if (check !== expected) throw new Error(`${name}: events decoded wrong (shard sum ${check}, expected ${expected})`);
    return EVENTS / ((t1 - t0) / 1000);
  }

  const rates = { faultline: [], eventsource: [] };
  for (let i = 0; i < 2; i++) {
    // warm-up (JIT of both clients and of the app), discarded
    await round('faultline');
    await round('eventsource');
  }
  for (let i = 0; i < ROUNDS; i++) {
    for (const name of i % 2 ? ['eventsource', 'faultline'] : ['faultline', 'eventsource']) rates[name].push(await round(name));
  }
  const f = median(rates.faultline);
  const e = median(rates.eventsource);
  console.log(`\nclient decode throughput, ${EVENTS} events (${(bytes / 1e6).toFixed(1)} MB) per round, ${ROUNDS} rounds, medians`);
  console.log('| client | events/s | MB/s | per event |');
  console.log('| --- | ---: | ---: | ---: |');
  for (const [label, r] of [['faultline openInjectionStream -> injection$', f], ['eventsource 4 + JSON.parse', e]]) {
    console.log(`| ${label} | ${fmtRate(r)} | ${((r * bytes) / EVENTS / 1e6).toFixed(0)} | ${(1e6 / r).toFixed(2)} us |`);
  }
  console.log(`rounds (k/s): faultline ${rates.faultline.map((r) => (r / 1e3).toFixed(0)).join(' ')}; eventsource ${rates.eventsource.map((r) => (r / 1e3).toFixed(0)).join(' ')}`);
  const ratio = f / e;
  console.log(`\nfaultline client vs eventsource: ${ratio.toFixed(2)}x (target >= ${TARGET}x: ${ratio >= TARGET ? 'met' : 'MISSED'})`);
  await appProcess.stop();
  console.log(`(${((nowMs() - started) / 1000).toFixed(1)} s)`);
}

if (process.argv[2] === '--app') await app();
else await main();
