import { ErrorInjector } from '../../lib/injector';
import { createInjectionServer, type InjectionServer } from '../../lib/server';
import { ShardGroup } from '../../lib/shards';
import { lastJsonLine, runNodeScript } from '../helpers/run-node-script';

// The BUILT kit as a plain-JS user on Node 20 loads it (`require('faultline/testing')`, no `await using`), in
// a child process: after close() nothing keeps it alive (the child would be killed by the helper's hang
// guard otherwise), and reset() prints its warning as Node prints warnings.

let server: InjectionServer;
let group: ShardGroup;
let injector: ErrorInjector;

beforeAll(async () => {
  injector = new ErrorInjector();
  group = new ShardGroup({ injector });
  server = await createInjectionServer({ port: 0, shards: group, ui: false });
});

afterAll(async () => {
  await server.close();
  await group.close();
});

test('open, enable, reset with an unhit injection, close: the warning is printed and the process exits by itself', async () => {
  const script = `
    const { setupInjections } = require('faultline/testing');
    const faults = setupInjections(${JSON.stringify(server.url)});
    (async () => {
      await faults.open();
      const armed = await faults.enable('child.never', { oneShot: true });
      await faults.reset();
      await faults.close();
      console.log(JSON.stringify({ nodes: armed.nodes, position: armed.positions[armed.nodes[0]] }));
    })();
  `;
  const result = await runNodeScript(script);
  expect(result.exitCode).toBe(0);
  expect(lastJsonLine(result)).toEqual({ nodes: [server.url], position: `${group.epoch}-0` });
  expect(result.stderr).toMatch(
    /UnhitInjectionWarning: 1 injection\(s\) armed in this test were never hit: "child\.never" \(armed at /,
  );
  expect(injector.isEnabled('child.never')).toBe(false);
});

test('import (ESM) works the same, and a strict reset rejects with UnhitInjectionError', async () => {
  const script = `
    import { setupInjections, UnhitInjectionError } from 'faultline/testing';
    const faults = setupInjections(${JSON.stringify(server.url)}, { strict: true, timeout: 1000 });
    await faults.enable('child.strict');
    const err = await faults.reset().catch((e) => e);
    await faults.close();
    console.log(JSON.stringify({ isClass: err instanceof UnhitInjectionError, code: err.code, injections: err.injections }));
  `;
  const result = await runNodeScript(script, { flags: ['--input-type=module'] });
  expect(result.stderr).toBe('');
  expect(lastJsonLine(result)).toEqual({ isClass: true, code: 'ERR_FAULTLINE_UNHIT_INJECTION', injections: ['child.strict'] });
  expect(result.exitCode).toBe(0);
});

test('loads the client and the ground floor only: never server, shard or injector code', async () => {
  const script = `
    require('faultline/testing');
    const root = require('node:path').dirname(require.resolve('faultline/package.json')) + '/dist/cjs/';
    const ours = Object.keys(require.cache).filter((f) => f.startsWith(root)).map((f) => f.slice(root.length));
    console.log(JSON.stringify([...new Set(ours.map((f) => (f.includes('/') ? f.split('/')[0] + '/' : f)))].sort()));
  `;
  const result = await runNodeScript(script);
  expect(lastJsonLine(result)).toEqual(['client/', 'enable-options.js', 'errors.js', 'event.js', 'testing/', 'wire.js']);
});
