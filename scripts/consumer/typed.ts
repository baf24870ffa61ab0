// The consumer check's TypeScript test (scripts/consumer-check.sh): type-checked, never run, under each
// resolution a project may use (tsconfig.*.json beside it). It composes `injection$` with the CONSUMER's own
// rxjs (7.5), which only type-checks when there is one copy of rxjs. Written without top-level await and
// without `await using`, so the same text is valid as CommonJS and as ESM (typed.mts is a copy).
import { injector, InjectedError, type InjectionEvent } from 'faultline';
import { createInjectionServer, type InjectionServer } from 'faultline/server';
import { openInjectionStream, InjectionApi, firstHit, type InjectionStream, type ReceivedInjectionEvent } from 'faultline/client';
import { setupInjections, UnhitInjectionError, type ArmedInjection, type InjectionKit } from 'faultline/testing';
import { firstValueFrom, forkJoin, filter, take, timeout, type Observable } from 'rxjs';

export async function oneShotRoundTrip(): Promise<ReceivedInjectionEvent> {
  const server: InjectionServer = await createInjectionServer({ port: 0, ui: false });
  const stream: InjectionStream = await openInjectionStream(server.url);
  try {
    await new InjectionApi(server.url).enable('consumer.point', { oneShot: true, parameters: { who: 'consumer' } });
    const both: Observable<[ReceivedInjectionEvent, InjectionEvent]> = forkJoin([
      stream.injection$.pipe(firstHit('consumer.point'), timeout(10_000)),
      stream.injection$.pipe(filter((e) => e.injection === 'consumer.point'), take(1)),
    ]);
    const fired: boolean = injector.enter('consumer.point');
    const [hit] = await firstValueFrom(both);
    const waited: ReceivedInjectionEvent = await stream.waitForInjection('consumer.point', { timeout: 10_000 });
    if (!fired || waited.seq !== hit.seq) throw new InjectedError('consumer.point');
    return hit;
  } finally {
    await stream.close();
    await server.close();
  }
}

/** The kit as a test uses it: arm, await the hit after arming, release, reset. */
export async function armAndRelease(url: string): Promise<number> {
  const faults: InjectionKit = setupInjections(url, { timeout: 4000, strict: true });
  try {
    await faults.open();
    const armed: ArmedInjection = await faults.enable('consumer.pause', { oneShot: true });
    const hit: ReceivedInjectionEvent = await armed.hit({ timeout: 1000 });
    const more: ReceivedInjectionEvent[] = await armed.hits(2);
    await armed.message();
    await faults.reset().catch((err: unknown) => {
      if (!(err instanceof UnhitInjectionError)) throw err;
      return err.injections;
    });
    return hit.seq + more.length;
  } finally {
    await faults.close();
  }
}

// Real types, not `any`: each of these lines must be an error.
// @ts-expect-error hits takes a count
void setupInjections('http://127.0.0.1:1').enable('x').then((armed) => armed.hits());
// @ts-expect-error enable takes a name
injector.enable();
// @ts-expect-error a hit's shard is a number
export const shard: string = ({} as ReceivedInjectionEvent).shard;
