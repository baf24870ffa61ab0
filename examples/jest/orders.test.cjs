// jest (CommonJS, no transform). The server runs in the test process here; against `faultline serve` or
// your app's own server, pass its URL to setupInjections instead.
const { InjectedError } = require('faultline');
const { createInjectionServer } = require('faultline/server');
const { setupInjections } = require('faultline/testing');
const { placeOrder } = require('../orders.cjs');

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

test('an order parked at orders.pause waits until the test releases it', async () => {
  const pause = await faults.enable('orders.pause', { oneShot: true });
  let done = false;
  const placing = placeOrder({ item: 'pen' }).then((order) => {
    done = true;
    return order;
  });
  const hit = await pause.hit();
  expect(hit).toMatchObject({ injection: 'orders.pause', type: 'handler' });
  expect(done).toBe(false);
  await pause.message();
  await expect(placing).resolves.toMatchObject({ item: 'pen' });
});
