// The package loaded with `import`; run by vitest (globals on) and by `node --test` (ESM, no `await using`).
import { injector } from 'faultline';
import { createInjectionServer } from 'faultline/server';
import { openInjectionStream, InjectionApi } from 'faultline/client';
import oneShotRoundTrip from './scenario.cjs';

const { test } = globalThis.test ? globalThis : await import('node:test');

test('ESM: a one-shot hit travels from the point to the stream', async () => {
  await oneShotRoundTrip({ injector, createInjectionServer, openInjectionStream, InjectionApi });
});
