import { filter, firstValueFrom, take, toArray } from 'rxjs';
import { InjectionApi, openInjectionStream, type InjectionStream } from '../../lib/client';
import { InjectionEndedError, WaitTimeoutError } from '../../lib/client/errors';
import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, type InjectionServer } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { ShardWorker } from '../fixtures/workers/shard-worker';
import { stateOf } from '../helpers/promise-state';

// Control notices end waits that cannot succeed, against a real server whose group has worker-thread shards
// (the workers load the built package: run `npm run build` first).

const GUARD = 20_000; // hang guard only: every wait below ends on an event long before this

let server: InjectionServer;
let injector: ErrorInjector;
let group: ShardGroup;
let worker: ShardWorker;
let api: InjectionApi;
const streams: InjectionStream[] = [];

beforeEach(async () => {
  injector = new ErrorInjector();
  group = new ShardGroup({ injector });
  worker = new ShardWorker('commanded-shard');
  await group.addWorker(worker.worker);
  server = await createInjectionServer({ port: 0, shards: group, ui: false });
  api = new InjectionApi(server.url);
});

afterEach(async () => {
  await Promise.all(streams.splice(0).map((s) => s.close()));
  await server.close();
  await group.close();
  await worker.stop();
});

async function open(options: Parameters<typeof openInjectionStream>[1] = {}): Promise<InjectionStream> {
  const stream = await openInjectionStream(server.url, options);
  streams.push(stream);
  return stream;
}

describe('waits that end when they cannot succeed', () => {
  it('control$ carries enabled (with options), messaged, disabled', async () => {
    const stream = await open();
    const three = firstValueFrom(stream.control$.pipe(take(3), toArray()));
    await api.enable('x', { oneShot: true });
    await api.message('x');
    await api.disable('x');
    const notices = await three;
    expect(notices.map((c) => [c.op, c.injection, c.node])).toEqual([
      ['enabled', 'x', server.url],
      ['messaged', 'x', server.url],
      ['disabled', 'x', server.url],
    ]);
    expect(notices[0].options).toMatchObject({ oneShot: true });
  });

  it('a disabled injection fails its wait at once with InjectionEndedError', async () => {
    const stream = await open();
    await api.enable('x');
    const waiting = stream.waitForInjection('x', { timeout: GUARD, since: stream.mark() }).catch((e: unknown) => e);
    await api.disable('x');
    const err = (await waiting) as InjectionEndedError;
    expect(err).toBeInstanceOf(InjectionEndedError);
    expect(err).toMatchObject({ injection: 'x', reason: 'disabled', node: server.url, found: 0, wanted: 1 });
  });

  it('a hit on a worker shard just before the disable still wins over the notice', async () => {
    const stream = await open();
    await api.enable('x');
    const waiting = stream.waitForHits('x', 1, { timeout: GUARD, shard: 1 });
    await worker.command('hit', { name: 'x', kind: 'enter' });
    await api.disable('x');
    await expect(waiting).resolves.toMatchObject([{ injection: 'x', shard: 1 }]);
  });

  it('without control notices (as against a ScyllaDB node) a wait runs to its timeout as before', async () => {
    const stream = await open({ controlEvents: false });
    await api.enable('x');
    const waiting = stream.waitForInjection('x', { timeout: 300 }).catch((e: unknown) => e);
    await api.disable('x');
    expect(await waiting).toBeInstanceOf(WaitTimeoutError);
  });
});

describe("waits of an injection that ran out on every shard (main thread and two workers)", () => {
  let worker2: ShardWorker;

  beforeEach(async () => {
    worker2 = new ShardWorker('commanded-shard');
    await group.addWorker(worker2.worker);
  });

  afterEach(() => worker2.stop());

  it('the first wait resolves with its hit; one started after it fails at once with reason exhausted', async () => {
    const stream = await open();
    await api.enable('x', { oneShot: true });
    const first = stream.waitForInjection('x', { timeout: GUARD, since: stream.mark() });
    injector.enter('x');
    await expect(first).resolves.toMatchObject({ injection: 'x', shard: 0 });
    const second = stream.waitForHits('x', 3, { timeout: GUARD, since: stream.mark() }).catch((e: unknown) => e);
    await worker.command('hit', { name: 'x', kind: 'enter' });
    await worker2.command('hit', { name: 'x', kind: 'enter' });
    const err = (await second) as InjectionEndedError;
    expect(err).toBeInstanceOf(InjectionEndedError);
    expect(err).toMatchObject({ injection: 'x', reason: 'exhausted', node: server.url, found: 2, wanted: 3 });
    expect(err.message).toMatch(/exhausted \(its one-shot or count ran out on every shard\) on node .* after 2 of 3 hits/);
  });

  it('control$ carries the notice once, after the hits that spent a count', async () => {
    const stream = await open();
    const seen: string[] = [];
    const watching = stream.injection$.subscribe((e) => seen.push(`hit ${e.shard}`));
    const notices = stream.control$.subscribe((c) => seen.push(`${c.op} ${String(c.injection)}`));
    try {
      await api.enable('x', { count: 2 });
      const exhausted = firstValueFrom(stream.control$.pipe(filter((c) => c.op === 'exhausted')));
      injector.enter('x');
      injector.enter('x');
      await worker.command('hit', { name: 'x', kind: 'enter', times: 3 });
      await worker2.command('hit', { name: 'x', kind: 'enter', times: 2 });
      await expect(exhausted).resolves.toMatchObject({ op: 'exhausted', injection: 'x', shard: null, node: server.url });
      const disabled = firstValueFrom(stream.control$.pipe(filter((c) => c.op === 'disabled')));
      await api.disable('x');
      await disabled;
      expect(seen).toEqual(['enabled x', 'hit 0', 'hit 0', 'hit 1', 'hit 1', 'hit 2', 'hit 2', 'exhausted x', 'disabled x']);
    } finally {
      watching.unsubscribe();
      notices.unsubscribe();
    }
  });

  it('a wait on a one-shot handler parked everywhere stays pending until the message releases them, then ends', async () => {
    const stream = await open();
    await api.enable('h', { oneShot: true });
    const since = stream.mark();
    const parked = [
      injector.injectHandler('h', (handler) => handler.waitForMessage({ timeout: GUARD })),
      worker.command('hit', { name: 'h', kind: 'handler' }),
      worker2.command('hit', { name: 'h', kind: 'handler' }),
    ];
    const hits = await stream.waitForHits('h', 3, { timeout: GUARD, since });
    expect(hits.map((e) => e.shard).sort()).toEqual([0, 1, 2]);
    const fourth = stream.waitForHits('h', 4, { timeout: GUARD, since }).catch((e: unknown) => e);
    // A broadcast's notice follows everything every shard had before it: an ending sent while the handlers are
    // parked would be ahead of it.
    const yEnabled = firstValueFrom(stream.control$.pipe(filter((c) => c.injection === 'y')));
    await api.enable('y');
    await yEnabled;
    expect(await stateOf(fourth)).toBe('pending');
    await api.message('h');
    await Promise.all(parked);
    expect(await fourth).toMatchObject({ reason: 'exhausted', found: 3, wanted: 4 });
  });
});
