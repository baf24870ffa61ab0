'use strict';
// What both test files do, each in its own jest worker, at the same time, against the one app server: arm a
// one-shot failure in the test's own scope, see it taken by the test's own request and no other.
const { setupInjections } = require('faultline/testing');

const ROUNDS = 25;

function ordersSuite(file) {
  const faults = setupInjections(process.env.FAULTLINE_URL, { scope: true, strict: true });
  beforeAll(() => faults.open());
  afterEach(() => faults.reset());
  afterAll(() => faults.close());

  const order = (round) =>
    fetch(`${process.env.APP_URL}/${file}/${round}`, { method: 'POST', headers: faults.headers() });

  for (let round = 0; round < ROUNDS; round++) {
    test(`${file}, round ${round}: the one-shot armed here fails this test's request only`, async () => {
      const save = await faults.enable('orders.save', { oneShot: true });
      expect((await order(round)).status).toBe(500);
      const hit = await save.hit();
      expect(hit.scope).toBe(faults.scope);
      // Taken: the next request of this test goes through, whatever the other file is doing.
      expect((await order(round)).status).toBe(201);
    });
  }
}

module.exports = { ordersSuite };
