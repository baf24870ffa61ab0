// Worker shards: how fast a hit in a worker thread reaches the main thread as a GroupHit, and how many hits per
// second 4 looping workers can push through a ShardGroup, each next to a baseline of bare postMessage.
//
//   latency     one hit at a time: the worker notes the time (a clock shared by all threads), hits an enabled
//               point; the main thread takes the time when the GroupHit reaches an events() subscriber.
//               Baseline: the worker notes the time and posts the same event object on its parentPort (one-way,
//               the same path a hit takes, so the ratio is faultline's own cost).
//   throughput  4 workers reach an enabled point in a loop (bursts of BURST, then setImmediate), N_PER_WORKER
//               hits each; events/s = hits delivered to one events() subscriber (with the default history) per
//               second until the last one arrived. Baselines do the same hits on the same injector and carry
//               its `hits$` events by hand: one parentPort message per event (what a naive design does), and
//               arrays of 1024 events (batching by hand, cloning objects).
//
// Each case runs ROUNDS times with fresh workers; figures are medians. `npm run bench -- shards` (builds first).
import { performance } from 'node:perf_hooks';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { attachShard, injector } from '../dist/esm/index.mjs';
import { ShardGroup } from '../dist/esm/server.mjs';

const LATENCY_SAMPLES = 4_000;
/** Samples dropped at the start of each round: JIT warm-up of a fresh worker, the same for both sides. */
const WARMUP_SAMPLES = 1_000;
const WORKERS = 4;
const N_PER_WORKER = 100_000;
const BURST = 64;
const ROUNDS = 5;
const PARAMS = Object.freeze({ node: 'n1', table: 'ks.t' });

/** Milliseconds since the epoch with sub-ms precision, comparable between threads. */
const clock = () => performance.timeOrigin + performance.now();

if (!isMainThread) await runWorker(workerData);
else await main();

// ---- worker side ---------------------------------------------------------------------------------------------

async function runWorker({ mode, role }) {
  const shard = mode === 'group' ? await attachShard() : 0;
  const event = () => ({ injection: 'bench', type: 'lambda', shard, ts: Date.now(), params: PARAMS });
  const stamp = new Float64Array(workerData.stamp ?? new SharedArrayBuffer(8));
  if (role === 'latency') {
    parentPort.on('message', (msg) => {
      if (msg === 'stop') return parentPort.close();
      stamp[0] = clock();
      if (mode === 'group') injector.inject('bench', noop);
      else parentPort.postMessage(event());
    });
    parentPort.postMessage('ready');
    return;
  }
  // throughput: every mode hits the same injector; the baselines carry its events by hand.
  let sent = 0;
  let batch = [];
  if (mode !== 'group') {
    injector.enable('bench', { parameters: PARAMS });
    injector.hits$.subscribe((e) => {
      if (mode === 'raw') parentPort.postMessage(e);
      else if (batch.push(e) === 1024) {
        parentPort.postMessage(batch);
        batch = [];
      }
    });
  }
  const turn = () => {
    for (let i = 0; i < BURST && sent < N_PER_WORKER; i++, sent++) injector.inject('bench', noop);
    if (sent < N_PER_WORKER) setImmediate(turn);
    else if (batch.length > 0) parentPort.postMessage(batch);
  };
  parentPort.on('message', (msg) => {
    if (msg === 'go') turn();
    else if (msg === 'stop') parentPort.close();
  });
  parentPort.postMessage('ready');
}

function noop() {}

// ---- main side -----------------------------------------------------------------------------------------------

function start(mode, role, extra = {}) {
  const worker = new Worker(new URL(import.meta.url), { workerData: { mode, role, ...extra } });
  const ready = new Promise((resolve, reject) => {
    worker.once('error', reject);
    worker.once('message', (m) => (m === 'ready' ? resolve() : reject(new Error(`unexpected ${m}`))));
  });
  return { worker, ready };
}

async function withGroup(fn) {
  const group = new ShardGroup();
  try {
    return await fn(group);
  } finally {
    await group.close();
  }
}

async function latencyRound(mode) {
  const stampBuffer = new SharedArrayBuffer(8);
  const stamp = new Float64Array(stampBuffer);
  const { worker, ready } = start(mode, 'latency', { stamp: stampBuffer });
  const samples = [];
  const run = async (subscribeArrivals) => {
    await ready;
    await new Promise((resolve) => {
      const arrived = () => {
        samples.push(clock() - stamp[0]);
        if (samples.length === LATENCY_SAMPLES) resolve();
        else worker.postMessage('go');
      };
      subscribeArrivals(arrived);
      worker.postMessage('go');
    });
  };
  if (mode === 'group') {
    await withGroup(async (group) => {
      await group.addWorker(worker);
      await group.enableOnAll('bench', { parameters: PARAMS });
      let sub;
      await run((arrived) => (sub = group.events().subscribe(() => arrived())));
      sub.unsubscribe();
    });
  } else {
    await run((arrived) => worker.on('message', () => arrived()));
  }
  worker.postMessage('stop');
  await worker.terminate();
  samples.splice(0, WARMUP_SAMPLES);
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length * 0.5)] * 1000, p99: samples[Math.floor(samples.length * 0.99)] * 1000 };
}

async function throughputRound(mode) {
  const ws = Array.from({ length: WORKERS }, () => start(mode, 'throughput'));
  const total = WORKERS * N_PER_WORKER;
  let received = 0;
  let t0 = 0;
  let done;
  const finished = new Promise((resolve) => (done = resolve));
  const count = (n) => {
    received += n;
    if (received >= total) done(clock());
  };
  const go = async () => {
    await Promise.all(ws.map((w) => w.ready));
    t0 = clock();
    for (const w of ws) w.worker.postMessage('go');
    const t1 = await finished;
    return total / ((t1 - t0) / 1000);
  };
  let rate;
  if (mode === 'group') {
    rate = await withGroup(async (group) => {
      for (const w of ws) await group.addWorker(w.worker);
      await group.enableOnAll('bench', { parameters: PARAMS });
      const sub = group.events().subscribe(() => count(1));
      const r = await go();
      sub.unsubscribe();
      const dropped = group.droppedCounts().reduce((a, b) => a + b, 0);
      if (dropped > 0) console.log(`  (group dropped ${dropped} hits)`);
      return r;
    });
  } else {
    for (const w of ws) w.worker.on('message', (m) => count(Array.isArray(m) ? m.length : 1));
    rate = await go();
  }
  await Promise.all(ws.map((w) => w.worker.terminate()));
  return rate;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const started = clock();
  console.log(`node ${process.version}, ${(await import('node:os')).availableParallelism()} cores`);

  const lat = { group: [], raw: [] };
  for (let r = 0; r < ROUNDS; r++) for (const mode of ['raw', 'group']) lat[mode].push(await latencyRound(mode));
  const p = (mode, key) => median(lat[mode].map((x) => x[key]));
  console.log(
    `\nhit-to-main-thread latency, one hit at a time (${LATENCY_SAMPLES - WARMUP_SAMPLES} samples after ${WARMUP_SAMPLES} ` +
      `warm-up x ${ROUNDS} rounds, medians)`,
  );
  console.log(`  baseline postMessage  p50 ${p('raw', 'p50').toFixed(1)} us   p99 ${p('raw', 'p99').toFixed(1)} us`);
  console.log(`  ShardGroup            p50 ${p('group', 'p50').toFixed(1)} us   p99 ${p('group', 'p99').toFixed(1)} us`);
  console.log(`  ratio group/baseline  p50 ${(p('group', 'p50') / p('raw', 'p50')).toFixed(2)}x   p99 ${(p('group', 'p99') / p('raw', 'p99')).toFixed(2)}x`);

  const thr = { group: [], raw: [], batched: [] };
  for (let r = 0; r < ROUNDS; r++) for (const mode of ['raw', 'batched', 'group']) thr[mode].push(await throughputRound(mode));
  const t = (mode) => median(thr[mode]);
  const fmt = (x) => `${(x / 1000).toFixed(0)}k events/s`;
  console.log(`\nthroughput, ${WORKERS} workers x ${N_PER_WORKER} hits in a loop (${ROUNDS} rounds, medians)`);
  console.log(`  baseline hits$ -> postMessage per event      ${fmt(t('raw'))}`);
  console.log(`  baseline hits$ -> postMessage, 1024 a batch  ${fmt(t('batched'))}`);
  console.log(`  ShardGroup (history on, 1 reader)            ${fmt(t('group'))}`);
  console.log(`  ratio group/per-event ${(t('group') / t('raw')).toFixed(2)}x   group/batched ${(t('group') / t('batched')).toFixed(2)}x`);
  console.log(`\n(${((clock() - started) / 1000).toFixed(1)} s)`);
}
