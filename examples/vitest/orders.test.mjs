// vitest (ESM). The server runs in the test process here; against `faultline serve` or your app's own
// server, pass its URL to setupInjections instead.
import { afterAll, afterEach, beforeAll, expect, test } from 'vitest';
import { InjectedError } from 'faultline';
import { createInjectionServer } from 'faultline/server';
import { setupInjections } from 'faultline/testing';
import { placeOrder } from '../orders.cjs';

let server;
let faults;

beforeAll(async () => {
  server = await createInjectionServer({ port: 0, ui: false });
  faults = setupInjections(server.url, { strict: true });
  await faults.open();
});
afterEach(() => faults.reset());
afterAll(async () => {
  await faults.close();
  await server.close();
});

test('a save that fails once is reported, the next one goes through', async () => {
  const save = await faults.enable('orders.save', { oneShot: true });
  await expect(placeOrder({ item: 'book' })).rejects.toBeInstanceOf(InjectedError);
  await save.hit();
  await expect(placeOrder({ item: 'book' })).resolves.toMatchObject({ item: 'book' });
});

test('three orders pass orders.pause, each released in turn', async () => {
  const pause = await faults.enable('orders.pause', { count: 3 });
  const placing = [placeOrder({ item: 'a' }), placeOrder({ item: 'b' }), placeOrder({ item: 'c' })];
  const hits = await pause.hits(3);
  expect(hits.map((h) => h.type)).toEqual(['handler', 'handler', 'handler']);
  for (let i = 0; i < 3; i++) await pause.message();
  expect((await Promise.all(placing)).map((o) => o.item)).toEqual(['a', 'b', 'c']);
});
