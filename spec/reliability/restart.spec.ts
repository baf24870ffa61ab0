import { filter, firstValueFrom, type Subscription } from 'rxjs';
import { Agent } from 'undici';
import { EventGapError, HttpError, NetworkError, NodeLostError } from '../../lib/client/errors';
import { InjectionApi } from '../../lib/client/injection-api';
import type { InjectionStream } from '../../lib/client/injection-stream';
import { openInjectionStream } from '../../lib/client/open-injection-stream';
import type { FaultlineError } from '../../lib/errors';
import { startCli, type CliChild } from '../helpers/cli-child';
import { DeliveryWindow, GroundTruth, seqOf } from './support/delivery';
import { closeStands, onCleanup, startStand, trackStream } from './support/stand';

// A faultline client stays connected while its server goes away: closed and started again on the same port
// (in this process, mid-burst), killed with SIGKILL (a `faultline serve` process with worker shards) and
// started again, never coming back, or coming back unable to serve the stream. Each time the client says so
// (an EventGapError or NodeLostError on the waits pending at that moment, status$ and gaps$), and nothing
// waits for its timeout: every wait below has a timeout of minutes, far past jest's, so only the client's
// report can end it. The workers and the CLI run the BUILT package: `npm run build` first.
//
// Bounds: four restarts; a few thousand hits; reconnect delays of 10 to 200 ms.

const FAST = { initialDelay: 10, maxDelay: 200, attempts: 200 };
/** A wait's timeout: long enough that a wait ending in time proves the client reported the cause itself. */
const NEVER = 10 * 60_000;
/** Hang guard for conditions; not a speed assertion. */
const GUARD = 20_000;

const children: CliChild[] = [];
const agents: Agent[] = [];

afterEach(async () => {
  await closeStands();
  await Promise.all(children.splice(0).map((c) => c.kill()));
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

function record(stream: InjectionStream): { statuses: string[]; problems: FaultlineError[] } {
  const statuses: string[] = [];
  const problems: FaultlineError[] = [];
  const subs: Subscription[] = [stream.status$.subscribe((s) => statuses.push(s)), stream.errors$.subscribe((e) => problems.push(e))];
  onCleanup(() => subs.forEach((s) => s.unsubscribe()));
  return { statuses, problems };
}

function reached(stream: InjectionStream, status: string): Promise<unknown> {
  return firstValueFrom(stream.status$.pipe(filter((s) => s === status)));
}

/** `faultline serve --port PORT --shards 4 --demo` as a child process, once it listens. */
async function serve(port: number): Promise<{ child: CliChild; url: string; api: InjectionApi }> {
  const child = startCli(['serve', '--port', String(port), '--shards', '4', '--demo']);
  children.push(child);
  const line = await child.stdout.next(/^faultline listening on /);
  const url = /listening on (http:\/\/\S+)/.exec(line)?.[1] as string;
  const agent = new Agent();
  agents.push(agent);
  return { child, url, api: new InjectionApi(url, { dispatcher: agent }) };
}

describe('a server restart under a connected client', () => {
  test('closed mid-burst and started again on the same port: pending waits fail with a restart gap, status$ tells, the stream goes on', async () => {
    const first = await startStand({ workers: 2 });
    const port = Number(new URL(first.url).port);
    const truth = new GroundTruth(first.group);
    const stream = trackStream(await openInjectionStream(first.url, { reconnect: FAST, replay: 100_000 }));
    const { statuses } = record(stream);
    const before = new DeliveryWindow(truth, 'client, first server', truth.lastSeq);
    const gaps = firstValueFrom(stream.gaps$);
    await first.api.enable('x');
    await first.workers[0].hit('x', 'enter', 10);
    await stream.waitForInjection('x', { shard: 1, timeout: GUARD });
    const pending = stream.waitForInjection('never-hit', { timeout: NEVER });

    // Close it while both workers are in the middle of a burst.
    const bursts = first.workers.map((w) => w.hit('x', 'enter', 5000).catch(() => undefined));
    await first.server.close();
    await first.group.close();
    await Promise.all(bursts);
    const second = await startStand({ workers: 1, server: { port } });

    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventGapError);
    expect((err as EventGapError).gap).toMatchObject({ reason: 'restart', node: first.url });
    expect((err as Error).message).toContain('the server restarted');
    await expect(gaps).resolves.toMatchObject({ reason: 'restart', lastEventId: expect.stringContaining(first.group.epoch) });
    await reached(stream, 'open');
    expect(statuses).toEqual(['open', 'reconnecting', 'open']);
    expect(stream.gaps).toHaveLength(1);

    // The stream goes on with the second server.
    const mark = stream.mark();
    await second.api.enable('y');
    await second.workers[0].hit('y', 'enter');
    await expect(stream.waitForInjection('y', { since: mark, timeout: GUARD })).resolves.toMatchObject({
      shard: 1,
      id: `${second.group.epoch}-1`,
    });
    // Everything the client got from the first server: a gap-free prefix of what that server ingested.
    const received: { id?: string; shard: number; injection: string }[] = [];
    stream.injection$.subscribe((e) => received.push(e)).unsubscribe();
    for (const e of received.filter((e) => e.id?.startsWith(`${first.group.epoch}-`))) before.receive(e.id, e.shard, e.injection);
    before.close();
    expect(before.errors).toEqual([]);
    expect(before.delivered).toBeGreaterThanOrEqual(10);
    expect(received.filter((e) => !e.id?.startsWith(`${first.group.epoch}-`)).map((e) => e.id)).toEqual([`${second.group.epoch}-1`]);
  });

  test('a `faultline serve` process killed with SIGKILL while its 4 shards hit, then started again: the client reports the restart', async () => {
    const first = await serve(0);
    const port = Number(new URL(first.url).port);
    const stream = trackStream(await openInjectionStream(first.url, { reconnect: FAST, replay: 100_000 }));
    const { statuses, problems } = record(stream);
    await first.api.enable('demo_lambda');
    // Hits flow on the main thread and on the workers.
    await stream.waitForInjection('demo_lambda', { shard: 3, timeout: GUARD });
    await stream.waitForInjection('demo_lambda', { shard: 0, timeout: GUARD });
    const pending = stream.waitForInjection('demo_handler', { timeout: NEVER });

    first.child.proc.kill('SIGKILL');
    expect(await first.child.exited).toMatchObject({ signal: 'SIGKILL' });
    await reached(stream, 'reconnecting');
    const second = await serve(port);

    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EventGapError);
    expect((err as EventGapError).gap).toMatchObject({ reason: 'restart' });
    await reached(stream, 'open');
    expect(statuses).toEqual(['open', 'reconnecting', 'open']);
    expect(stream.gaps.map((g) => g.reason)).toEqual(['restart']);
    // Attempts made while nothing listened are reported, not thrown: connection refused.
    expect(problems.every((p) => p instanceof NetworkError)).toBe(true);

    const mark = stream.mark();
    await second.api.enable('demo_lambda');
    const next = await stream.waitForInjection('demo_lambda', { shard: 2, since: mark, timeout: GUARD });
    expect(epochOf(next.id)).not.toBe(epochOf(stream.gaps[0].lastEventId));
    // Before the kill, one epoch with ids 1, 2, 3...; after it, another, again from 1; nothing twice.
    const ids: string[] = [];
    stream.injection$.subscribe((e) => ids.push(String(e.id))).unsubscribe();
    const epochs = [...new Set(ids.map(epochOf))];
    expect(epochs).toHaveLength(2);
    for (const epoch of epochs) {
      const seqs = ids.filter((id) => epochOf(id) === epoch).map(seqOf);
      expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    }
  });

  test('a server that does not come back: pending and later waits fail with NodeLostError, the stream closes, nothing hangs', async () => {
    const stand = await startStand({ workers: 1 });
    const stream = trackStream(await openInjectionStream(stand.url, { reconnect: { initialDelay: 10, maxDelay: 50, attempts: 3 } }));
    const { statuses, problems } = record(stream);
    const pending = stream.waitForInjection('never-hit', { timeout: NEVER });
    const ended = firstValueFrom(stream.injection$.pipe(filter(() => false)), { defaultValue: 'completed' }).catch((e: unknown) => e);

    await stand.server.close();
    await stand.group.close();

    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeLostError);
    expect((err as NodeLostError).attempts).toBe(3);
    expect((err as Error).message).toContain('connection lost and not re-established after 3 attempt(s)');
    expect(await ended).toBeInstanceOf(NodeLostError);
    expect(statuses).toEqual(['open', 'reconnecting', 'closed']);
    expect(stream.status).toBe('closed');
    expect(problems.filter((p) => p instanceof NetworkError)).toHaveLength(3);
    // A wait set up afterwards fails at once too, and closing is still fine.
    await expect(stream.waitForInjection('later', { timeout: NEVER })).rejects.toBeInstanceOf(NodeLostError);
    await expect(stream.close()).resolves.toBeUndefined();
  });

  test('a server that comes back without the shard the stream reads: the refusal ends the node at once, no retry loop', async () => {
    const first = await startStand({ workers: 2 });
    const port = Number(new URL(first.url).port);
    const stream = trackStream(await openInjectionStream(first.url, { shard: 2, reconnect: FAST }));
    const { statuses, problems } = record(stream);
    const pending = stream.waitForInjection('x', { timeout: NEVER });
    await first.server.close();
    await first.group.close();
    // One worker only: shard 2 does not exist, so `?shard=2` is a 400, which retrying cannot change.
    await startStand({ workers: 1, server: { port } });

    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NodeLostError);
    expect((err as NodeLostError).cause).toBeInstanceOf(HttpError);
    expect(((err as NodeLostError).cause as HttpError).status).toBe(400);
    expect(statuses).toEqual(['open', 'reconnecting', 'closed']);
    expect(problems.filter((p) => p instanceof HttpError)).toHaveLength(1);
  });
});

function epochOf(id: string | undefined): string {
  return String(id).slice(0, String(id).lastIndexOf('-'));
}
