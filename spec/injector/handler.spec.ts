import { ErrorInjector } from '../../lib/injector/error-injector';
import {
  HandlerAbortedError,
  HandlerTimeoutError,
  InjectionParameterError,
  InvalidInjectionError,
} from '../../lib/injector/errors';
import type { InjectionHandler } from '../../lib/injector/handler';
import { expectError } from '../helpers/expect-error';
import { record, stopRecording } from '../helpers/record-events';
import { stateOf } from '../helpers/promise-state';

// A wait that should be released by the test gets this timeout: a hang guard, never reached when things work.
const GUARD = 10_000;

const newInjector = (options: ConstructorParameters<typeof ErrorInjector>[0] = {}): ErrorInjector =>
  new ErrorInjector({ enabled: true, ...options });

/** Reaches the handler point `name` and hands back its handler and the promise of its function's end. */
function reach(
  injector: ErrorInjector,
  name: string,
  body: (h: InjectionHandler) => Promise<unknown> | void,
  shareMessages = true,
): { handler: InjectionHandler; done: Promise<void> } {
  let handler: InjectionHandler | undefined;
  const done = injector.injectHandler(
    name,
    async (h) => {
      handler = h;
      await body(h);
    },
    { shareMessages },
  );
  if (done === undefined || handler === undefined) throw new Error(`handler point "${name}" did not fire`);
  return { handler, done };
}


afterEach(() => {
  stopRecording();
  jest.useRealTimers();
});

describe('waitForMessage', () => {
  test('is released by a message sent while it waits', async () => {
    const injector = newInjector();
    injector.enable('x');
    const { done } = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    expect(injector.get('x').waiters).toBe(1);
    expect(await stateOf(done)).toBe('pending');
    injector.receiveMessage('x');
    await done;
    expect(injector.get('x').waiters).toBe(0);
  });

  test('a message sent before the wait is not lost', async () => {
    const injector = newInjector();
    injector.enable('x');
    const order: string[] = [];
    const { done } = reach(injector, 'x', async (h) => {
      order.push('reached');
      await new Promise((r) => setImmediate(r)); // the message lands here, before the wait starts
      order.push('waiting');
      await h.waitForMessage({ timeout: GUARD });
      order.push('released');
    });
    injector.receiveMessage('x');
    order.push('message sent');
    await done;
    expect(order).toEqual(['reached', 'message sent', 'waiting', 'released']);
  });

  test('a message sent before the point is even reached is not lost', async () => {
    const injector = newInjector();
    injector.enable('x');
    injector.receiveMessage('x');
    const { done } = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    await expect(done).resolves.toBeUndefined();
  });

  test('messages are counted: two messages release two waits, a third wait waits', async () => {
    const injector = newInjector();
    injector.enable('x');
    injector.receiveMessage('x');
    injector.receiveMessage('x');
    let passed = 0;
    const { done } = reach(injector, 'x', async (h) => {
      for (let i = 0; i < 3; i++) {
        await h.waitForMessage({ timeout: GUARD });
        passed++;
      }
    });
    expect(await stateOf(done)).toBe('pending');
    expect(passed).toBe(2);
    injector.receiveMessage('x');
    await done;
    expect(passed).toBe(3);
  });

  test('pollForMessage consumes a message without waiting', () => {
    const injector = newInjector();
    injector.enable('x');
    const { handler } = reach(injector, 'x', () => {});
    expect(handler.pollForMessage()).toBe(false);
    injector.receiveMessage('x');
    expect(handler.pollForMessage()).toBe(true);
    expect(handler.pollForMessage()).toBe(false);
  });

  test('with Infinity it waits with no timer, until a message', async () => {
    jest.useFakeTimers();
    const injector = newInjector();
    injector.enable('x');
    const { done } = reach(injector, 'x', (h) => h.waitForMessage({ timeout: Infinity }));
    await jest.advanceTimersByTimeAsync(0);
    expect(jest.getTimerCount()).toBe(0);
    injector.receiveMessage('x');
    await done;
  });
});

describe('shared and non-shared messages', () => {
  test('shared (the default): one message releases one wait of every handler', async () => {
    const injector = newInjector();
    injector.enable('x');
    const a = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    const b = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    injector.receiveMessage('x');
    await Promise.all([a.done, b.done]);
  });

  test('shared: a handler that arrives later still sees the messages already sent', async () => {
    const injector = newInjector();
    injector.enable('x');
    const first = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    injector.receiveMessage('x');
    await first.done;
    const later = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    await expect(later.done).resolves.toBeUndefined();
  });

  test('non-shared: each message releases exactly one waiting handler', async () => {
    const injector = newInjector();
    injector.enable('x');
    const a = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }), false);
    const b = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }), false);
    injector.receiveMessage('x');
    const states = await Promise.all([stateOf(a.done), stateOf(b.done)]);
    expect(states.sort()).toEqual(['pending', 'resolved']);
    expect(injector.get('x').waiters).toBe(1);
    injector.receiveMessage('x');
    await Promise.all([a.done, b.done]);
  });

  test('non-shared: a message taken by one handler is not there for a later one', async () => {
    const injector = newInjector();
    injector.enable('x');
    injector.receiveMessage('x');
    const a = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }), false);
    await a.done;
    const b = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }), false);
    expect(await stateOf(b.done)).toBe('pending');
    injector.disable('x');
    await b.done;
  });

  test('shared and non-shared handlers of one injection count messages independently', async () => {
    const injector = newInjector();
    injector.enable('x');
    injector.receiveMessage('x');
    const unshared = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }), false);
    const shared = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }), true);
    await expect(Promise.all([unshared.done, shared.done])).resolves.toEqual([undefined, undefined]);
  });
});

describe('timeouts', () => {
  test('a wait that no message releases rejects with HandlerTimeoutError naming the injection and timeout', async () => {
    const injector = newInjector();
    injector.enable('slow_point');
    const { done } = reach(injector, 'slow_point', (h) => h.waitForMessage({ timeout: 20 }));
    const err = await done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expectError(err, HandlerTimeoutError, {
      code: 'ERR_FAULTLINE_HANDLER_TIMEOUT',
      injection: 'slow_point',
      timeout: 20,
      message: 'injection "slow_point": waitForMessage timed out after 20 ms with no message',
    });
    expect(injector.get('slow_point').waiters).toBe(0);
  });

  test("the injector's defaultHandlerTimeout applies when the wait names none", async () => {
    const injector = newInjector({ defaultHandlerTimeout: 20 });
    injector.enable('x');
    const { done } = reach(injector, 'x', (h) => h.waitForMessage());
    await expect(done).rejects.toMatchObject({ code: 'ERR_FAULTLINE_HANDLER_TIMEOUT', timeout: 20 });
  });

  test('a wait that timed out consumed nothing: the next message releases the next wait', async () => {
    jest.useFakeTimers();
    const injector = newInjector();
    injector.enable('x');
    const { handler } = reach(injector, 'x', () => {});
    const timedOut = handler.waitForMessage({ timeout: 100 });
    const settled = timedOut.catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(100);
    expect(await settled).toBeInstanceOf(HandlerTimeoutError);
    injector.receiveMessage('x');
    expect(handler.pollForMessage()).toBe(true);
  });

  test.each([
    [-1, '-1'],
    [NaN, 'NaN'],
    ['100', '"100"'],
  ])('a timeout of %p rejects with InvalidInjectionError and starts no wait', async (timeout, shown) => {
    const injector = newInjector();
    injector.enable('x');
    const phases = record(injector.handlerEvents$);
    const { handler } = reach(injector, 'x', () => {});
    injector.receiveMessage('x');
    const err = await handler.waitForMessage({ timeout: timeout as number }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expectError(err, InvalidInjectionError, {
      code: 'ERR_FAULTLINE_INVALID',
      message: `injection "x": waitForMessage timeout must be a number of milliseconds >= 0, got ${shown}`,
    });
    expect(phases).toEqual([]);
    expect(handler.pollForMessage()).toBe(true); // the message is still there
  });
});

describe('abort signal', () => {
  test('aborting rejects the wait with HandlerAbortedError, the reason as its cause', async () => {
    const injector = newInjector();
    injector.enable('x');
    const controller = new AbortController();
    const { done } = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD, signal: controller.signal }));
    const reason = new Error('test over');
    controller.abort(reason);
    const err = await done.then(
      () => undefined,
      (e: unknown) => e,
    );
    expectError(err, HandlerAbortedError, {
      code: 'ERR_FAULTLINE_HANDLER_ABORTED',
      injection: 'x',
      message: 'injection "x": waitForMessage was aborted',
      cause: reason,
    });
    expect(injector.get('x').waiters).toBe(0);
  });

  test('a signal already aborted rejects at once and consumes no message', async () => {
    const injector = newInjector();
    injector.enable('x');
    injector.receiveMessage('x');
    const { handler } = reach(injector, 'x', () => {});
    await expect(handler.waitForMessage({ signal: AbortSignal.abort() })).rejects.toBeInstanceOf(HandlerAbortedError);
    expect(handler.pollForMessage()).toBe(true);
  });
});

describe('release by disable and re-enable', () => {
  test('after disable every further wait of a handler returns at once', async () => {
    const injector = newInjector();
    injector.enable('x');
    let waits = 0;
    const { done } = reach(injector, 'x', async (h) => {
      for (let i = 0; i < 3; i++) {
        await h.waitForMessage({ timeout: GUARD });
        waits++;
      }
    });
    injector.disable('x');
    await done;
    expect(waits).toBe(3);
  });

  test('re-enabling releases the waiters of the old enablement', async () => {
    const injector = newInjector();
    injector.enable('x');
    const a = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    const b = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    injector.enable('x');
    await Promise.all([a.done, b.done]);
  });
});

describe('handler phase events and log lines', () => {
  test('each wait reports waiting, and released when a message releases it', async () => {
    const lines: string[] = [];
    const injector = newInjector({ shard: 6, logger: (l) => lines.push(l) });
    injector.enable('x');
    const phases = record(injector.handlerEvents$);
    const { done } = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    expect(phases.map((p) => p.phase)).toEqual(['waiting']);
    injector.receiveMessage('x');
    await done;
    expect(phases).toEqual([
      { injection: 'x', phase: 'waiting', shard: 6, ts: expect.any(Number) },
      { injection: 'x', phase: 'released', shard: 6, ts: expect.any(Number) },
    ]);
    expect(lines).toEqual(['Triggering injection "x" with injection handler', 'x: waiting for message', 'x: message received']);
  });

  test('a wait whose message is already there still reports both, as ScyllaDB logs both lines', async () => {
    const lines: string[] = [];
    const injector = newInjector({ logger: (l) => lines.push(l) });
    injector.enable('x');
    injector.receiveMessage('x');
    await reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD })).done;
    expect(lines.slice(1)).toEqual(['x: waiting for message', 'x: message received']);
  });

  test('a wait that times out reports waiting only', async () => {
    const injector = newInjector();
    injector.enable('x');
    const phases = record(injector.handlerEvents$);
    await expect(reach(injector, 'x', (h) => h.waitForMessage({ timeout: 20 })).done).rejects.toBeInstanceOf(
      HandlerTimeoutError,
    );
    expect(phases.map((p) => p.phase)).toEqual(['waiting']);
  });

  test('the log lines of a wait carry the parameters of its own enablement, even after a re-enable', async () => {
    const logger = jest.fn();
    const injector = newInjector({ logger });
    injector.enable('x', { parameters: { run: 'first' } });
    const { done } = reach(injector, 'x', (h) => h.waitForMessage({ timeout: GUARD }));
    injector.enable('x', { parameters: { run: 'second' } });
    await done;
    expect(logger).toHaveBeenLastCalledWith(
      'x: message received',
      expect.objectContaining({ injection: 'x', type: 'handler', params: { run: 'first' } }),
    );
  });
});

describe('typed parameter getters', () => {
  const handlerWith = (parameters: Record<string, string>): InjectionHandler => {
    const injector = newInjector();
    injector.enable('x', { parameters });
    return reach(injector, 'x', () => {}).handler;
  };

  test('get: the string, or undefined when absent (inherited names are not parameters)', () => {
    const h = handlerWith({ a: '1', empty: '' });
    expect(h.get('a')).toBe('1');
    expect(h.get('empty')).toBe('');
    expect(h.get('missing')).toBeUndefined();
    expect(h.get('toString')).toBeUndefined();
    expect(h.get('__proto__')).toBeUndefined();
  });

  test('a "__proto__" parameter is kept as a parameter', () => {
    const h = handlerWith(JSON.parse('{"__proto__":"yes"}') as Record<string, string>);
    expect(h.get('__proto__')).toBe('yes');
    expect(h.parameters).toEqual(JSON.parse('{"__proto__":"yes"}'));
  });

  test('getNumber, getInteger, getBoolean convert, and give undefined when absent', () => {
    const h = handlerWith({ n: ' 2.5 ', i: '-42', plus: '+7', t: 'True', f: 'false', one: '1', zero: '0' });
    expect(h.getNumber('n')).toBe(2.5);
    expect(h.getNumber('i')).toBe(-42);
    expect(h.getInteger('i')).toBe(-42);
    expect(h.getInteger('plus')).toBe(7);
    expect([h.getBoolean('t'), h.getBoolean('f'), h.getBoolean('one'), h.getBoolean('zero')]).toEqual([
      true,
      false,
      true,
      false,
    ]);
    expect([h.getNumber('none'), h.getInteger('none'), h.getBoolean('none')]).toEqual([undefined, undefined, undefined]);
  });

  test.each([
    ['getNumber', 'abc', 'a number'],
    ['getNumber', '', 'a number'],
    ['getNumber', '   ', 'a number'],
    ['getNumber', 'Infinity', 'a number'],
    ['getNumber', '1e999', 'a number'],
    ['getInteger', '1.5', 'an integer'],
    ['getInteger', '0x10', 'an integer'],
    ['getInteger', '9007199254740993', 'an integer'],
    ['getInteger', '', 'an integer'],
    ['getBoolean', 'yes', 'a boolean'],
    ['getBoolean', '', 'a boolean'],
  ] as const)('%s of %p throws InjectionParameterError', (getter, value, expected) => {
    const h = handlerWith({ p: value });
    let err: unknown;
    try {
      h[getter]('p');
    } catch (e) {
      err = e;
    }
    expectError(err, InjectionParameterError, {
      code: 'ERR_FAULTLINE_PARAMETER',
      injection: 'x',
      parameter: 'p',
      value,
      message: `injection "x": parameter "p" is ${JSON.stringify(value)}, not ${expected}`,
    });
  });
});
