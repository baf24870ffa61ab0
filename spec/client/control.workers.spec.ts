import { firstValueFrom, take, toArray } from 'rxjs';
import { InjectionApi, openInjectionStream, type InjectionStream } from '../../lib/client';
import { InjectionEndedError, WaitTimeoutError } from '../../lib/client/errors';
import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, type InjectionServer } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { ShardWorker } from '../fixtures/workers/shard-worker';

// Control notices end waits that cannot succeed, against a real server whose group has worker-thread shards
// (the workers load the built package: run `npm run build` first).

const GUARD = 20_000; // hang guard only: every wait below ends on an event long before this

let server: InjectionServer;
let group: ShardGroup;
let worker: ShardWorker;
let api: InjectionApi;
const streams: InjectionStream[] = [];

beforeEach(async () => {
  group = new ShardGroup({ injector: new ErrorInjector() });
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
