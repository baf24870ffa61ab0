import { InjectionApi } from '../../lib/client/injection-api';
import { HttpError } from '../../lib/client/errors';
import { API, call } from './support/http';
import { closeAll, startServer } from './support/servers';
import { until } from './support/until';

afterEach(closeAll);

// ScyllaDB's enter_count lives in the enablement's shared data: created at 0 by enable, dropped by disable and
// by a one-shot firing (a one-shot handler keeps it until the handler returns). wait_for_injection_enter polls
// it, so a count that survives any of those would make a wait return here that times out on ScyllaDB.
describe('GET /injection/{name}/enters counts as ScyllaDB does; GET /lifetime_enters/{name} never resets', () => {
  test('0 after enable, counts hits, 0 after disable, after DELETE of all and after a one-shot fired; lifetime unchanged by all of it', async () => {
    const { url, injector } = await startServer();
    const api = new InjectionApi(url);
    const counts = async (): Promise<[number, number]> => [await api.enters('x'), await api.lifetimeEnters('x')];

    expect(await counts()).toEqual([0, 0]);
    await api.enable('x');
    expect(await counts()).toEqual([0, 0]);
    for (let i = 0; i < 3; i++) injector.enter('x');
    expect(await counts()).toEqual([3, 3]);

    await api.disable('x');
    expect(await counts()).toEqual([0, 3]);

    await api.enable('x');
    injector.enter('x');
    injector.enter('x');
    expect(await counts()).toEqual([2, 5]);
    expect((await call(url, 'DELETE', `${API}/injection`)).status).toBe(200);
    expect(await counts()).toEqual([0, 5]);

    await api.enable('x', { oneShot: true });
    expect(injector.enter('x')).toBe(true);
    expect(injector.enter('x')).toBe(false);
    expect(await api.list()).toEqual([]);
    expect(await counts()).toEqual([0, 6]);

    await api.enable('x', { count: 2 });
    injector.enter('x');
    injector.enter('x');
    expect(await counts()).toEqual([0, 8]);

    // The bare number ScyllaDB's client reads, on both routes.
    expect((await call(url, 'GET', `${API}/injection/x/enters`)).text).toBe('0');
    expect((await call(url, 'GET', `${API}/lifetime_enters/x`)).text).toBe('8');
  });

  test('GET /lifetime_enters lists every name enabled now or hit before, sorted, with its lifetime hits', async () => {
    const { url, injector } = await startServer();
    const api = new InjectionApi(url);
    expect(await api.lifetimeEntersAll()).toEqual({});
    await api.enable('once', { oneShot: true });
    await api.enable('idle');
    await api.enable('never_hit');
    injector.enter('once');
    injector.enter('once');
    await api.disable('never_hit');
    // 'once' fired and ended, 'idle' is enabled with no hit, 'never_hit' ended with none: nothing to tell.
    expect(await api.lifetimeEntersAll()).toEqual({ idle: 0, once: 1 });
    const raw = await call(url, 'GET', `${API}/lifetime_enters`);
    expect(raw.status).toBe(200);
    expect(raw.text).toBe('{"idle":0,"once":1}');
    expect((await call(url, 'GET', `${API}/lifetime_enters?x=1`)).status).toBe(400);
    expect((await call(url, 'POST', `${API}/lifetime_enters`)).status).toBe(405);
  });

  test('a parked one-shot handler is counted until it returns, though it reads as not enabled', async () => {
    const { url, injector } = await startServer();
    const api = new InjectionApi(url);
    await api.enable('pause', { oneShot: true });
    const parked = injector.injectHandler('pause', (h) => h.waitForMessage({ timeout: 20_000 }));
    await until(() => injector.get('pause').waiters === 1, 'the handler to park');

    expect(await api.enters('pause')).toBe(1);
    expect(await api.get('pause')).toEqual([{ enabled: false }]);
    expect(await api.list()).toEqual([]);
    expect(injector.injectHandler('pause', () => undefined)).toBeUndefined(); // spent: a second reach does not fire
    expect(await api.enters('pause')).toBe(1);

    await api.message('pause');
    await parked;
    expect(await api.enters('pause')).toBe(0);
    expect(await api.lifetimeEnters('pause')).toBe(1);
  });

  test('re-enabling an enabled name starts its count again (faultline replaces; the lifetime count goes on)', async () => {
    const { url, injector } = await startServer();
    const api = new InjectionApi(url);
    await api.enable('x');
    injector.enter('x');
    await api.enable('x', { parameters: { v: '2' } });
    expect([await api.enters('x'), await api.lifetimeEnters('x')]).toEqual([0, 1]);
  });

  test('the lifetime route takes names as /injection does, and refuses what it refuses', async () => {
    const { url, injector } = await startServer();
    const api = new InjectionApi(url);
    const name = 'a/b %c "d"/enters';
    await api.enable(name);
    injector.enter(name);
    expect(await api.lifetimeEnters(name)).toBe(1);
    expect(await api.enters(name)).toBe(1);
    const refused = await call(url, 'GET', `${API}/lifetime_enters/%ZZ`);
    expect({ status: refused.status, code: (refused.json as { code: string }).code }).toEqual({ status: 400, code: 'ERR_FAULTLINE_BAD_NAME' });
    expect((await call(url, 'GET', `${API}/lifetime_enters/x`, { query: '?n=1' })).status).toBe(400);
    expect((await call(url, 'POST', `${API}/lifetime_enters/x`)).headers.allow).toBe('GET');
    await expect(api.lifetimeEnters('')).rejects.toThrow(/name is required/);
    await expect(new InjectionApi(url + '/nowhere').lifetimeEnters('x')).rejects.toThrow(HttpError);
  });
});
