import { readFileSync } from 'node:fs';
import { startServe, withRest, type ServeChild } from '../helpers/cli-child';
import { openRawStream } from '../server/support/raw-stream';
import { until } from '../server/support/until';

// `faultline serve --demo --shards 2` (the BUILT command: `npm run build` first) with two 1 MiB parameters
// enabled on points the demo passes ~10 times a second on each shard, and a client reading every hit: before
// issue 17 its RSS grew ~57 MB/s (the history kept 10,000 hits whatever their size). Now the history is
// bounded in bytes too (historyBytes, default 64 MiB) and RSS must stay under RSS_BOUND_MB, the bound
// docs/guide.md gives, for the whole run. FAULTLINE_RSS_MS sets how long (default 10 000 so the suite keeps
// its time; the 60 000 ms run is reported in docs/architecture.md, reliability suite).

const RUN_MS = Number(process.env.FAULTLINE_RSS_MS ?? 10_000);
/** What docs/guide.md promises for a server with default options, whatever is enabled. */
const RSS_BOUND_MB = 400;
const MiB = 1024 * 1024;

let server: ServeChild | undefined;
afterEach(async () => {
  await server?.kill();
  server = undefined;
});

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]);
  return kb / 1024;
}

test(`RSS stays under ${RSS_BOUND_MB} MB for ${RUN_MS} ms with two 1 MiB parameters enabled and a client reading`, async () => {
  server = await startServe(['--shards', '2', '--demo']);
  const pid = server.proc.pid as number;
  // Whole parameters (the default stream cuts them to 4 KiB): the client that makes the server hold the most.
  const reader = await openRawStream(server.url, '?params=full');
  // As big as the 1 MiB body limit lets a parameter be.
  const big = (c: string): string => c.repeat(MiB - 32);
  await withRest(server.url, async (api) => {
    await api.enable('demo_lambda', { parameters: { blob: big('a') } });
    await api.enable('demo_exception', { parameters: { blob: big('b') } });
  });
  // The hits are flowing (each carries 1 MiB) before the clock starts.
  await until(() => reader.received() > 20 * MiB, 'the reader to receive 20 hits');
  const samples: number[] = [];
  const started = Date.now();
  const receivedAtStart = reader.received();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      samples.push(rssMb(pid));
      if (Date.now() - started >= RUN_MS) {
        clearInterval(timer);
        resolve();
      }
    }, 250);
  });
  const streamedMb = (reader.received() - receivedAtStart) / MiB;
  await withRest(server.url, (api) => api.disableAll());
  reader.socket.destroy();
  const peak = Math.max(...samples);
  process.stdout.write(
    `[memory-bound] ${RUN_MS} ms: ${streamedMb.toFixed(0)} MiB streamed to the reader, RSS first ${samples[0].toFixed(0)} MB, ` +
      `peak ${peak.toFixed(0)} MB, last ${samples[samples.length - 1].toFixed(0)} MB (${samples.length} samples)\n`,
  );
  // The load was real: the reader got many hits' worth of parameters during the run.
  expect(streamedMb).toBeGreaterThan(RUN_MS / 1000);
  expect(peak).toBeLessThan(RSS_BOUND_MB);
  const { code } = await server.stop();
  expect(code).toBe(0);
}, RUN_MS + 60_000);
