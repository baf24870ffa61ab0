import { lastJsonLine, runNodeScript } from '../helpers/run-node-script';

// FAULTLINE_INJECTIONS in a fresh process and in its worker threads: what only a new process can show. The
// children load the BUILT package (the integration layer builds it first).

const REPORT = `
  const { injector } = require('faultline');
  // The very first reach, before any other code: the injection is already there.
  const first = injector.enter('a');
  const state = (n) => { const s = injector.get(n); return { enabled: s.enabled, oneShot: s.oneShot, count: s.count, probability: s.probability, seed: s.seed, parameters: s.parameters }; };
  const report = () => ({ first, enabled: injector.enabledInjections(), b: state('b') });
`;

describe('FAULTLINE_INJECTIONS', () => {
  it('enables from the first line of the main thread and of every worker thread', async () => {
    const script = `${REPORT}
      const { Worker } = require('node:worker_threads');
      const w = new Worker(${JSON.stringify(REPORT + "require('node:worker_threads').parentPort.postMessage(report());")}, { eval: true });
      w.once('message', (inWorker) => { console.log(JSON.stringify({ main: report(), worker: inWorker })); w.terminate(); });
      w.once('error', (err) => { console.error(err.message); process.exit(3); });
    `;
    const result = await runNodeScript(script, { env: { FAULTLINE: undefined, FAULTLINE_INJECTIONS: 'a=2*;b=25%seed3(k=v, s="x;y")' } });
    expect(result.stderr).toBe('');
    const expected = {
      first: true,
      enabled: ['a', 'b'],
      b: { enabled: true, oneShot: false, probability: 0.25, seed: 3, parameters: { k: 'v', s: 'x;y' } },
    };
    expect(lastJsonLine(result)).toEqual({ main: expected, worker: expected });
  });

  it('takes the JSON form', async () => {
    const result = await runNodeScript(`${REPORT} console.log(JSON.stringify(report()));`, {
      env: { FAULTLINE: undefined, FAULTLINE_INJECTIONS: '{"a": {"oneShot": true}, "b": {"count": 4, "parameters": {"k": "v"}}}' },
    });
    expect(lastJsonLine(result)).toMatchObject({ first: true, enabled: ['b'], b: { count: 4, parameters: { k: 'v' } } });
  });

  it.each([
    ['a bad term', 'a;b=3x', 'FAULTLINE_INJECTIONS: entry "b=3x", character 6 (found "x"): expected \'%\' (probability) or \'*\' (count) after 3'],
    ['bad JSON', '{"a": {"count": "3"}}', 'FAULTLINE_INJECTIONS: entry "a": injection "a": count must be an integer >= 1, got "3"'],
  ])('stops the process at its first require on %s, naming the variable, the entry and the position', async (_label, value, message) => {
    const result = await runNodeScript(`require('faultline'); console.log('app code ran');`, {
      env: { FAULTLINE: undefined, FAULTLINE_INJECTIONS: value },
    });
    expect(result.exitCode).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(`InjectionSpecError: ${message}`);
  });

  it('stops a worker whose value is bad, and says why', async () => {
    const script = `
      const { Worker } = require('node:worker_threads');
      const w = new Worker("require('faultline')", { eval: true, env: { FAULTLINE_INJECTIONS: 'x=once once' } });
      w.once('error', (err) => console.log(JSON.stringify({ code: err.code, message: err.message })));
    `;
    const result = await runNodeScript(script, { env: { FAULTLINE: undefined, FAULTLINE_INJECTIONS: undefined } });
    expect(lastJsonLine(result)).toEqual({
      code: 'ERR_FAULTLINE_INJECTION_SPEC',
      message: 'FAULTLINE_INJECTIONS: entry "x=once once", character 8 (found "o"): oneShot is given twice',
    });
  });

  it('refuses to start with FAULTLINE=off, which would make it do nothing', async () => {
    const result = await runNodeScript(`require('faultline');`, { env: { FAULTLINE: 'off', FAULTLINE_INJECTIONS: 'a' } });
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toContain('FAULTLINE_INJECTIONS: it enables "a", but error injection is switched off here (FAULTLINE=off?)');
  });
});
