// The consumer check's one test (scripts/consumer-check.sh), shared by every runner: a server on loopback,
// a stream open on it, a one-shot enabled over REST, the point hit, the hit awaited, everything closed.
// It takes the package's modules as arguments so that each test file loads them its own way (import or
// require) and the scenario itself stays runner- and module-system-neutral.
'use strict';
const assert = require('node:assert/strict');
const { firstValueFrom, filter } = require('rxjs');

module.exports = async function oneShotRoundTrip({ injector, createInjectionServer, openInjectionStream, InjectionApi }) {
  const server = await createInjectionServer({ port: 0, ui: false });
  let stream;
  try {
    stream = await openInjectionStream(server.url);
    await new InjectionApi(server.url).enable('consumer.point', { oneShot: true, parameters: { who: 'consumer' } });
    const viaRx = firstValueFrom(stream.injection$.pipe(filter((e) => e.injection === 'consumer.point')));
    const fired = [injector.enter('consumer.point'), injector.enter('consumer.point')];
    const hit = await stream.waitForInjection('consumer.point', { timeout: 10_000 });
    assert.deepEqual(fired, [true, false], 'a one-shot fires once');
    assert.equal(hit.injection, 'consumer.point');
    assert.deepEqual(hit.params, { who: 'consumer' });
    assert.equal((await viaRx).injection, 'consumer.point');
    assert.equal(injector.isEnabled('consumer.point'), false);
  } finally {
    await stream?.close();
    await server.close();
  }
};
