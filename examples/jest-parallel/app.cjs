'use strict';
// The app under test, as it would be started once for a whole jest run: an HTTP API whose every request runs
// in the injection scope its `faultline-scope` header names, and faultline's server beside it.
const http = require('node:http');
const { injectionScope } = require('faultline');
const { createInjectionServer } = require('faultline/server');
const { placeOrder } = require('../orders.cjs');

async function startApp() {
  const scope = injectionScope();
  const app = http.createServer((req, res) =>
    scope(req, res, async () => {
      try {
        const order = await placeOrder({ item: req.url });
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(order));
      } catch (err) {
        res.writeHead(500, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err.message }));
      }
    }),
  );
  await new Promise((resolve) => app.listen(0, '127.0.0.1', resolve));
  const faultline = await createInjectionServer({ port: 0, ui: false });
  return {
    appUrl: `http://127.0.0.1:${app.address().port}`,
    faultlineUrl: faultline.url,
    async close() {
      await faultline.close();
      await new Promise((resolve) => app.close(resolve));
    },
  };
}

module.exports = { startApp };
