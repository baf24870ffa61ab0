// node --test (plain ESM, Node 20: no `await using`). The server runs in the test process here; against
// `faultline serve` or your app's own server, pass its URL to setupInjections instead.
import { after, afterEach, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { InjectedError } from 'faultline';
import { createInjectionServer } from 'faultline/server';
import { setupInjections, WaitTimeoutError } from 'faultline/testing';
import { placeOrder } from '../orders.cjs';

let server;
let faults;

before(async () => {
  server = await createInjectionServer({ port: 0, ui: false });
  faults = setupInjections(server.url, { strict: true });
  await faults.open();
});
afterEach(() => faults.reset());
after(async () => {
  await faults.close();
  await server.close();
});

test('a save that fails once is reported, the next one goes through', async () => {
  const save = await faults.enable('orders.save', { oneShot: true });
  await assert.rejects(placeOrder({ item: 'book' }), InjectedError);
  await save.hit();
  assert.equal((await placeOrder({ item: 'book' })).item, 'book');
});

test('an order parked at orders.pause waits until the test releases it', async () => {
  const pause = await faults.enable('orders.pause', { oneShot: true });
  const placing = placeOrder({ item: 'pen' });
  assert.equal((await pause.hit()).type, 'handler');
  await pause.message();
  assert.equal((await placing).item, 'pen');
});

test('a wait for a point the code never reaches fails with its own message, before the runner gives up', async () => {
  const never = await faults.enable('orders.audit');
  await placeOrder({ item: 'cup' });
  await assert.rejects(never.hit({ timeout: 200 }), WaitTimeoutError);
  // Armed and never hit: with strict: true, reset() (the afterEach) would fail this test; here it is expected.
  await assert.rejects(faults.reset(), { code: 'ERR_FAULTLINE_UNHIT_INJECTION', injections: ['orders.audit'] });
});
