// vitest (ESM). The server runs in the test process here; against `faultline serve` or your app's own
// server, pass its URL to setupInjections instead.
import { afterEach, beforeAll, expect, test } from 'vitest';
import { InjectedError } from 'faultline';
import { createInjectionServer } from 'faultline/server';
import { setupInjections } from 'faultline/testing';
import { placeOrder, saved } from '../orders.cjs';

let faults;

// vitest runs the function beforeAll returns as the teardown: the kit closes first, then the server.
beforeAll(async () => {
  const server = await createInjectionServer({ port: 0, ui: false });
  faults = setupInjections(server.url, { strict: true });
  await faults.open();
  return async () => {
    await faults.close();
    await server.close();
  };
});
afterEach(() => faults.reset());

test('a failed save stores nothing, and the hit carries the parameters it was armed with', async () => {
  const before = saved.length;
  const save = await faults.enable('orders.save', { oneShot: true, parameters: { reason: 'disk full' } });
  const failed = placeOrder({ item: 'lamp' }).catch((err) => err);
  const hit = await save.hit();
  expect(hit.params).toEqual({ reason: 'disk full' });
  expect(await failed).toBeInstanceOf(InjectedError);
  expect(saved.length).toBe(before);
});

test('three orders pass orders.pause, each released in turn', async () => {
  const pause = await faults.enable('orders.pause', { count: 3 });
  const placing = [placeOrder({ item: 'a' }), placeOrder({ item: 'b' }), placeOrder({ item: 'c' })];
  const hits = await pause.hits(3);
  expect(hits.map((h) => h.type)).toEqual(['handler', 'handler', 'handler']);
  for (let i = 0; i < 3; i++) await pause.message();
  expect((await Promise.all(placing)).map((o) => o.item)).toEqual(['a', 'b', 'c']);
});
