// The package loaded with `require`; run by jest and by `node --test`.
'use strict';
const { injector } = require('faultline');
const { createInjectionServer } = require('faultline/server');
const { openInjectionStream, InjectionApi } = require('faultline/client');
const oneShotRoundTrip = require('./scenario.cjs');

const { test } = globalThis.test ? globalThis : require('node:test');

test('CJS: a one-shot hit travels from the point to the stream', async () => {
  await oneShotRoundTrip({ injector, createInjectionServer, openInjectionStream, InjectionApi });
});
