import { ErrorInjector, injector } from '../../lib/injector';
import { lastJsonLine, runNodeScript } from '../helpers/run-node-script';

// What a process started with FAULTLINE=off sees through the built package: every point a no-op, and
// `enable` refusing with a reason that names the switch. Printed as one JSON line for the test to read.
const OFF_SWITCH_PROBE = `
const calls = [];
const { injector, ErrorInjector, InjectionsOffError } = require('faultline');
let enableError;
try { injector.enable('x', { parameters: { a: '1' } }); } catch (err) {
  enableError = { isOffError: err instanceof InjectionsOffError, name: err.name, code: err.code, message: err.message };
}
const seen = [];
const sub = injector.hits$.subscribe((e) => seen.push(e));
injector.inject('x', () => calls.push('inject'));
const entered = injector.enter('x');
const slept = injector.injectSleep('x', 0);
let threw = false;
try { injector.injectError('x'); } catch { threw = true; }
const handled = injector.injectHandler('x', async () => { calls.push('handler'); });
sub.unsubscribe();
console.log(JSON.stringify({
  enabled: injector.enabled,
  isErrorInjector: injector instanceof ErrorInjector,
  enableError, calls, entered, slept: slept === undefined ? 'undefined' : 'promise', threw,
  handled: handled === undefined ? 'undefined' : 'promise', events: seen.length,
  enabledInjections: injector.enabledInjections(), state: injector.get('x'),
}));
`;

describe('injector: this thread\'s ErrorInjector', () => {
  test('is an ErrorInjector on shard 0', () => {
    expect(injector).toBeInstanceOf(ErrorInjector);
    expect(injector.shard).toBe(0);
  });

  test('in a real process with FAULTLINE=off: every point is a no-op and enable throws InjectionsOffError', async () => {
    const result = await runNodeScript(OFF_SWITCH_PROBE, { env: { FAULTLINE: 'off' } });
    expect(result.stderr).toBe('');
    expect(lastJsonLine(result)).toEqual({
      enabled: false,
      isErrorInjector: true,
      enableError: {
        isOffError: true,
        name: 'InjectionsOffError',
        code: 'ERR_FAULTLINE_OFF',
        message:
          'cannot enable injection "x": error injection is switched off (FAULTLINE=off is set in the environment of this process)',
      },
      calls: [],
      entered: false,
      slept: 'undefined',
      threw: false,
      handled: 'undefined',
      events: 0,
      enabledInjections: [],
      state: { name: 'x', enabled: false, oneShot: false, parameters: {}, hits: 0, lifetimeHits: 0, waiters: 0 },
    });
    expect(result.exitCode).toBe(0);
  });

  test('the same probe without FAULTLINE=off does enable and fire (so the probe can tell the difference)', async () => {
    const result = await runNodeScript(OFF_SWITCH_PROBE, { env: { FAULTLINE: undefined } });
    expect(lastJsonLine(result)).toMatchObject({
      enabled: true,
      calls: ['inject', 'handler'],
      entered: true,
      slept: 'promise',
      threw: true,
      handled: 'promise',
      events: 5,
      enabledInjections: ['x'],
    });
    expect(result.exitCode).toBe(0);
  });
});
