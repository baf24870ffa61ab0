'use strict';
// The code under test: a tiny order service with two injection points, placed as an app places them.
// `orders.pause` parks an order until the test releases it; `orders.save` fails the save.
const { injector } = require('faultline');

const saved = [];

async function placeOrder(order) {
  await injector.injectHandler('orders.pause', (handler) => handler.waitForMessage({ timeout: 10_000 }));
  injector.injectError('orders.save');
  saved.push(order);
  return { id: saved.length, ...order };
}

module.exports = { placeOrder, saved };
