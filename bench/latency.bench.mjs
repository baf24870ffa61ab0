// Hit-to-client latency, one event at a time over loopback: how long after an injection point is hit does the
// test that waits for it know? faultline against the two ways tests wait today.
//
// Two processes, as in real use: the APP (a child: injector, ShardGroup, createInjectionServer, a log file) and
// the TEST (this process). For each sample the test arms its wait, then asks the app (IPC) to hit the point after
// a random delay; the app stamps the system-wide monotonic clock (process.hrtime) just before the hit, and the
// test stamps it when its wait completes. Latency = the difference (both processes read the same clock).
//
//   faultline  injector.enter() -> group -> SSE frame -> loopback -> openInjectionStream -> waitForInjection(name,
//              { since: mark }) resolved. Hit delay uniform 0.5-3 ms after the wait is armed.
//   log tail   the injector's logger writes ScyllaDB's line (`... debug_error_injection - Triggering injection
//              "x"`) to a file with a synchronous write; the test tails it from a mark as test/pylib/log_browsing.py
//              does: read what is new, regex-match each line, and when nothing matched sleep LOG_POLL_MS (10 ms, as
//              ScyllaDB's readline loop) and read again. Hit delay uniform 0-30 ms (any phase of the poll).
//   /enters    ScyllaDB's wait_for_injection_enter: GET /v2/error_injection/injection/x/enters against our own
//              server, at once and then after 0.1 s, growing x1.5 up to 1 s, until the count passes the one read
//              before the wait. Hit delay uniform 0-500 ms after the wait starts. ENTERS_WAITERS waits run side by
//              side, each on its own injection (each sample is still one event), to keep the run short.
//   floor      (reference) one byte written on a raw TCP socket by the app and read by the test: what any
//              loopback push costs on this machine, under this load.
//   bare       (reference) the design's client stack with nothing of faultline's client on it: undici's request()
//              for the GET, the body's 'data' through eventsource-parser, JSON.parse, a promise resolved. It reads
//              a second faultline server in the app (its own injector and group), so its hits never reach
//              faultline's stream; it shows what a p50 the stack itself reaches.
//   bare net   (reference) the same without undici: node:net, the response head and chunked framing read by hand,
//              then eventsource-parser, JSON.parse and a promise, as `bare`: what dropping undici would leave.
//
// ROUNDS rounds interleave them (faultline's samples alternate with the floor's and the two bare clients'); figures
// are the medians over rounds of each round's p50 and p99.
// `npm run bench -- latency`. Targets: faultline's p50 at least 100x lower than each baseline's (issue 7); and
// (issue 16) faultline's p50 within 2x of the floor's p50 and its p99 within 3x of the floor's p99, same run.
import { appendFileSync, closeSync, fstatSync, mkdtempSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openBare, openBareNet } from './support/bare-client.mjs';
import { startChild, serveCalls } from './support/child.mjs';
import { fmtMs, machineLine, median, nowMs, percentile } from './support/stats.mjs';

const ROUNDS = 5;
const SAMPLES = { floor: 200, faultline: 400, bare: 200, net: 200, log: 120, enters: 60 };
// Both paths run WARMUP times before any sample counts. 100 was too few for V8 to compile faultline's path (the
// enter(), frame, write, parse, decode and wait code): its tier-up then happened inside the measured rounds, with
// the compiler's threads taking the 2 cores from the processes being timed, and p50 and p99 came out about twice
// what they are once compiled. The floor's path is a few lines on top of Node's own socket code.
const WARMUP = 2000;
/** Warm-up samples of each bare client (their own code is a few lines on libraries faultline's warm-up runs too). */
const BARE_WARMUP = 1000;
const LOG_POLL_MS = 10;
const ENTERS_FIRST_MS = 100;
const ENTERS_FACTOR = 1.5;
const ENTERS_MAX_MS = 1000;
const ENTERS_WAITERS = 10;
const TARGET = 100;
const FLOOR_P50_TARGET = 2;
const FLOOR_P99_TARGET = 3;
const POINT = 'bench_point';
/** The bare clients' points, on the second server; each client's stream is filtered to its own. */
const BARE_POINT = { bare: 'bare_point', net: 'bare_net_point' };

// ---- the app process -----------------------------------------------------------------------------------------

async function app(logPath) {
  const { ErrorInjector } = await import('../dist/esm/index.mjs');
  const { ShardGroup, createInjectionServer } = await import('../dist/esm/server.mjs');
  const injector = new ErrorInjector();
  const group = new ShardGroup({ injector });
  const server = await createInjectionServer({ port: 0, shards: group });
  // The bare clients' server: the same code, its own injector and group, so that their hits never reach
  // faultline's stream (and faultline's never reach theirs).
  const bareInjector = new ErrorInjector();
  const bareGroup = new ShardGroup({ injector: bareInjector });
  const bareServer = await createInjectionServer({ port: 0, shards: bareGroup });
  // The log baseline's app: the same hit, reported only as ScyllaDB's log line, written synchronously (the
  // fastest a logger can put it in the file; real loggers buffer).
  const logFd = openSync(logPath, 'a');
  const logInjector = new ErrorInjector({
    logger: (line) => writeSync(logFd, `INFO  ${new Date().toISOString()} [shard 0:main] debug_error_injection - ${line}\n`),
  });
  logInjector.enable(POINT);
  // The floor: one raw socket.
  let floorSocket;
  const floorServer = createServer((s) => (floorSocket = s));
  await new Promise((resolve) => floorServer.listen(0, '127.0.0.1', resolve));

  serveCalls({
    ready: () => ({ url: server.url, bareUrl: bareServer.url, floorPort: floorServer.address().port }),
    hit: ({ mode, name, delay }) =>
      new Promise((resolve) => {
        setTimeout(() => {
          const t0 = nowMs();
          if (mode === 'floor') floorSocket.write('x');
          else if (mode === 'log') logInjector.enter(name);
          else if (mode === 'bare') bareInjector.enter(name);
          else injector.enter(name);
          // Answer well after the hit's own bytes are out, so the answer cannot delay them.
          setTimeout(() => resolve(t0), 2);
        }, delay);
      }),
    stop: async () => {
      floorSocket?.destroy();
      floorServer.close();
      closeSync(logFd);
      await server.close();
      await group.close();
      await bareServer.close();
      await bareGroup.close();
    },
  });
}

// ---- the test process ----------------------------------------------------------------------------------------

/** Tails a log file as ScyllaDB's ScyllaLogFile.wait_for does: from a mark, line by line, sleeping when idle. */
class LogTailer {
  constructor(path) {
    this.fd = openSync(path, 'r');
    this.buf = Buffer.alloc(64 * 1024);
  }

  mark() {
    return fstatSync(this.fd).size;
  }

  /** Resolves with the time the first line matching `regex` after `from` was read. */
  waitFor(regex, from) {
    return new Promise((resolve) => {
      let pos = from;
      let rest = '';
      const poll = () => {
        let n;
        while ((n = readSync(this.fd, this.buf, 0, this.buf.length, pos)) > 0) {
          pos += n;
          rest += this.buf.toString('utf8', 0, n);
          let nl;
          while ((nl = rest.indexOf('\n')) >= 0) {
            const line = rest.slice(0, nl);
            rest = rest.slice(nl + 1);
            if (regex.test(line)) return resolve(nowMs());
          }
        }
        setTimeout(poll, LOG_POLL_MS);
      };
      poll();
    });
  }

  close() {
    closeSync(this.fd);
  }
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const uniform = (lo, hi) => lo + Math.random() * (hi - lo);

async function main() {
  const started = nowMs();
  console.log(machineLine());
  const { openInjectionStream, InjectionApi } = await import('../dist/esm/client.mjs');
  const dir = mkdtempSync(join(tmpdir(), 'faultline-latency-'));
  const logPath = join(dir, 'node.log');
  appendFileSync(logPath, '');
  const self = fileURLToPath(import.meta.url);
  const appProcess = await startChild(self, ['--app', logPath]);
  const { url, bareUrl, floorPort } = await appProcess.call('ready');
  const api = new InjectionApi(url);
  await api.enable(POINT);
  const bareApi = new InjectionApi(bareUrl);
  const bareArrived = {};
  const bareClients = [];
  for (const mode of ['bare', 'net']) {
    const name = BARE_POINT[mode];
    await bareApi.enable(name);
    const open = mode === 'bare' ? openBare : openBareNet;
    const eventsUrl = `${bareUrl}/v2/error_injection/events?injection=${name}`;
    bareClients.push(await open(eventsUrl, (event) => event.injection === name && bareArrived[mode]?.()));
  }
  const enterNames = Array.from({ length: ENTERS_WAITERS }, (_, i) => `enters_point_${i}`);
  for (const name of enterNames) await api.enable(name);
  const stream = await openInjectionStream(url);
  const tailer = new LogTailer(logPath);
  const floor = connect(floorPort, '127.0.0.1');
  floor.setNoDelay(true);
  await new Promise((resolve) => floor.once('connect', resolve));
  let floorArrived;
  floor.on('data', () => floorArrived?.(nowMs()));

  const hit = (mode, name, delay) => appProcess.call('hit', { mode, name, delay });
  /** As faultline's sample: the time is taken in a reaction to the promise the event resolved. */
  async function measureBare(mode) {
    const seen = new Promise((resolve) => (bareArrived[mode] = resolve)).then(() => nowMs());
    const t0 = await hit('bare', BARE_POINT[mode], uniform(0.5, 3));
    const t1 = await seen;
    bareArrived[mode] = undefined;
    return t1 - t0;
  }

  const measure = {
    async floor() {
      const seen = new Promise((resolve) => (floorArrived = resolve));
      const t0 = await hit('floor', '', uniform(0.5, 3));
      return (await seen) - t0;
    },
    async faultline() {
      const mark = stream.mark();
      const seen = stream.waitForInjection(POINT, { since: mark, timeout: 10_000 }).then(() => nowMs());
      const t0 = await hit('faultline', POINT, uniform(0.5, 3));
      return (await seen) - t0;
    },
    async bare() {
      return measureBare('bare');
    },
    async net() {
      return measureBare('net');
    },
    async log() {
      const seen = tailer.waitFor(/Triggering injection "bench_point"/, tailer.mark());
      const t0 = await hit('log', POINT, uniform(0, 30));
      return (await seen) - t0;
    },
  };

  /** One of ENTERS_WAITERS side-by-side waiters: `count` samples of wait_for_injection_enter on its own name. */
  async function entersWaiter(name, count, out) {
    for (let i = 0; i < count; i++) {
      const base = await api.enters(name);
      const hitDone = hit('enters', name, uniform(0, 500));
      let period = ENTERS_FIRST_MS;
      let seenAt;
      for (;;) {
        const n = await api.enters(name);
        seenAt = nowMs();
        if (n > base) break;
        await sleep(period);
        period = Math.min(period * ENTERS_FACTOR, ENTERS_MAX_MS);
      }
      out.push(seenAt - (await hitDone));
    }
  }

  // Warm-up: compile both processes' paths, discarded.
  for (let i = 0; i < WARMUP; i++) {
    await measure.faultline();
    await measure.floor();
  }
  for (let i = 0; i < BARE_WARMUP; i++) {
    await measure.bare();
    await measure.net();
  }
  await measure.log();

  const results = { floor: [], faultline: [], bare: [], net: [], log: [], enters: [] };
  for (let round = 0; round < ROUNDS; round++) {
    // faultline, the floor and the bare clients alternate sample by sample, so that all see the same moments of
    // the machine's load.
    const taken = { floor: [], faultline: [], bare: [], net: [], log: [] };
    const every = SAMPLES.faultline / SAMPLES.floor;
    for (let i = 0; i < SAMPLES.faultline; i++) {
      taken.faultline.push(await measure.faultline());
      if ((i + 1) % every === 0) {
        taken.floor.push(await measure.floor());
        taken.bare.push(await measure.bare());
        taken.net.push(await measure.net());
      }
    }
    for (let i = 0; i < SAMPLES.log; i++) taken.log.push(await measure.log());
    for (const [mode, xs] of Object.entries(taken)) {
      results[mode].push({ p50: percentile(xs, 0.5), p99: percentile(xs, 0.99), n: xs.length });
    }
    const xs = [];
    await Promise.all(enterNames.map((name) => entersWaiter(name, SAMPLES.enters / ENTERS_WAITERS, xs)));
    results.enters.push({ p50: percentile(xs, 0.5), p99: percentile(xs, 0.99), n: xs.length });
  }

  const p = (mode, key) => median(results[mode].map((r) => r[key]));
  const rows = [
    ['faultline: SSE -> waitForInjection', 'faultline'],
    [`log line + tailer polling every ${LOG_POLL_MS} ms`, 'log'],
    [`/enters polling (${ENTERS_FIRST_MS} ms, x${ENTERS_FACTOR}, max ${ENTERS_MAX_MS} ms)`, 'enters'],
    ['bare client: undici request() + eventsource-parser + JSON.parse', 'bare'],
    ['bare client on node:net (HTTP read by hand) + eventsource-parser + JSON.parse', 'net'],
    ['floor: one byte on a raw TCP socket', 'floor'],
  ];
  console.log(`\nhit-to-client latency, one event at a time, ${ROUNDS} rounds (median of per-round p50 / p99)`);
  console.log('| approach | samples/round | p50 | p99 | faultline p50 faster by |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, mode] of rows) {
    const ratio = p(mode, 'p50') / p('faultline', 'p50');
    console.log(
      `| ${label} | ${SAMPLES[mode]} | ${fmtMs(p(mode, 'p50'))} | ${fmtMs(p(mode, 'p99'))} | ` +
        `${mode === 'faultline' ? '-' : `${ratio.toFixed(mode === 'log' || mode === 'enters' ? 0 : 2)}x`} |`,
    );
  }
  const vsLog = p('log', 'p50') / p('faultline', 'p50');
  const vsEnters = p('enters', 'p50') / p('faultline', 'p50');
  console.log(
    `\nfaultline p50 vs log tail: ${vsLog.toFixed(0)}x, vs /enters polling: ${vsEnters.toFixed(0)}x ` +
      `(target >= ${TARGET}x each: ${vsLog >= TARGET && vsEnters >= TARGET ? 'met' : 'MISSED'}); ` +
      `faultline p50 is ${(p('faultline', 'p50') / p('floor', 'p50')).toFixed(2)}x the raw-socket floor`,
  );
  const overFloor50 = p('faultline', 'p50') / p('floor', 'p50');
  const overFloor99 = p('faultline', 'p99') / p('floor', 'p99');
  console.log(
    `faultline vs the raw-socket floor: p50 ${overFloor50.toFixed(2)}x (target <= ${FLOOR_P50_TARGET}x: ` +
      `${overFloor50 <= FLOOR_P50_TARGET ? 'met' : 'MISSED'}), p99 ${overFloor99.toFixed(2)}x (target <= ` +
      `${FLOOR_P99_TARGET}x: ${overFloor99 <= FLOOR_P99_TARGET ? 'met' : 'MISSED'})`,
  );
  // A poller's p50 is about half its interval, so 100x needs an interval of about 200x faultline's p50; and no
  // push can beat the floor, so against a 10 ms tailer the best possible ratio is its p50 over the floor's.
  console.log(
    `a tailer's p50 is ~half its interval: 100x would need it to poll every ${fmtMs(2 * TARGET * p('faultline', 'p50'))} ` +
      `or slower; against this one even a push at the raw-socket floor would be ${(p('log', 'p50') / p('floor', 'p50')).toFixed(0)}x`,
  );
  // What the design's client stack does alone, against the same floor: a p50 target below it cannot be met by any
  // client built on that stack.
  const over = (mode, key) => p(mode, key) / p('floor', key);
  console.log(
    `the client stack alone against the floor: undici + eventsource-parser p50 ${over('bare', 'p50').toFixed(2)}x, ` +
      `p99 ${over('bare', 'p99').toFixed(2)}x; on node:net instead of undici p50 ${over('net', 'p50').toFixed(2)}x, ` +
      `p99 ${over('net', 'p99').toFixed(2)}x; faultline's p50 is ${(p('faultline', 'p50') / p('bare', 'p50')).toFixed(2)}x the ` +
      `undici + eventsource-parser client's, its p99 ${(p('faultline', 'p99') / p('bare', 'p99')).toFixed(2)}x`,
  );
  console.log(`per-round p50s (ms): ${Object.entries(results).map(([m, rs]) => `${m} ${rs.map((r) => r.p50.toFixed(3)).join('/')}`).join('; ')}`);
  console.log(`per-round p99s (ms): ${['floor', 'faultline', 'bare', 'net'].map((m) => `${m} ${results[m].map((r) => r.p99.toFixed(3)).join('/')}`).join('; ')}`);

  floor.destroy();
  for (const client of bareClients) client.close();
  tailer.close();
  await stream.close();
  await appProcess.stop();
  rmSync(dir, { recursive: true, force: true });
  console.log(`(${((nowMs() - started) / 1000).toFixed(1)} s)`);
}

if (process.argv[2] === '--app') await app(process.argv[3]);
else await main();
