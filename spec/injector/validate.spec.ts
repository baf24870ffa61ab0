import { ErrorInjector, type EnableOptions, type InjectionState } from '../../lib/injector/error-injector';
import { InvalidInjectionError } from '../../lib/injector/errors';
import {
  MAX_NAME_LENGTH,
  describeValue,
  validateName,
  validateParameters,
  validateTimeout,
} from '../../lib/injector/validate';
import { expectError, thrownBy } from '../helpers/expect-error';
import { record, stopRecording } from '../helpers/record-events';

const GUARD = 10_000;
const injectors: ErrorInjector[] = [];

afterEach(() => {
  stopRecording();
  // Even when an assertion failed midway, no parked handler may outlive its test.
  for (const i of injectors.splice(0)) i.disableAll();
});

/**
 * An injector with state worth protecting: 'keep' enabled with parameters, a count and a handler parked on it,
 * and one message already counted for it. A rejected call must leave all of it exactly as it was.
 */
async function guardedInjector() {
  const injector = new ErrorInjector({ enabled: true });
  injectors.push(injector);
  injector.enable('keep', { parameters: { a: '1' }, count: 5 });
  const hits = record(injector.hits$);
  let released = false;
  const parked = injector.injectHandler('keep', async (h) => {
    await h.waitForMessage({ timeout: GUARD });
    await h.waitForMessage({ timeout: GUARD });
    released = true;
  });
  injector.receiveMessage('keep'); // releases the first wait; the second stays parked
  await new Promise((r) => setImmediate(r));
  const snapshot = (): { state: InjectionState; enabled: string[]; hits: number; released: boolean } => ({
    state: injector.get('keep'),
    enabled: injector.enabledInjections(),
    hits: hits.length,
    released,
  });
  return { injector, parked, snapshot };
}

type Guarded = Awaited<ReturnType<typeof guardedInjector>>;

async function expectUnchanged(guarded: Guarded, before: ReturnType<Guarded['snapshot']>): Promise<void> {
  await new Promise((r) => setImmediate(r));
  expect(guarded.snapshot()).toEqual(before);
  expect(before.state).toMatchObject({ enabled: true, hits: 1, waiters: 1, parameters: { a: '1' }, count: 5 });
  expect(before.released).toBe(false);
  guarded.injector.disableAll(); // let the parked handler finish, so nothing outlives the test
  await guarded.parked;
}

const LONG_NAME = 'n'.repeat(MAX_NAME_LENGTH + 1);

const badNames: Array<[string, unknown, string]> = [
  ['empty', '', 'injection name must not be empty'],
  ['over-long', LONG_NAME, `injection name is ${MAX_NAME_LENGTH + 1} characters long; the limit is ${MAX_NAME_LENGTH}`],
  ['with a newline', 'a\nb', 'injection name "a\\nb" contains a control character'],
  ['with a NUL', 'a\u0000b', 'injection name "a\\u0000b" contains a control character'],
  ['with DEL', 'a\u007fb', 'injection name "a\u007fb" contains a control character'],
  ['with a C1 control', 'a\u0085b', 'injection name "a\u0085b" contains a control character'],
  ['with a lone high surrogate', 'a\ud800b', 'injection name "a\\ud800b" is not well-formed Unicode (lone surrogate)'],
  ['with a lone low surrogate', '\udc00', 'injection name "\\udc00" is not well-formed Unicode (lone surrogate)'],
  ['a number', 42, 'injection name must be a string, got number'],
  ['undefined', undefined, 'injection name must be a string, got undefined'],
];

describe('bad names', () => {
  test.each(badNames)('%s: every control call refuses it and changes nothing', async (_label, name, message) => {
    const guarded = await guardedInjector();
    const before = guarded.snapshot();
    const calls: Array<[string, () => unknown]> = [
      ['enable', () => guarded.injector.enable(name as string)],
      ['disable', () => guarded.injector.disable(name as string)],
      ['get', () => guarded.injector.get(name as string)],
      ['receiveMessage', () => guarded.injector.receiveMessage(name as string)],
    ];
    for (const [, call] of calls) {
      expectError(thrownBy(call), InvalidInjectionError, { code: 'ERR_FAULTLINE_INVALID', message });
    }
    expect(guarded.injector.isEnabled(name as string)).toBe(false); // a query: never throws
    await expectUnchanged(guarded, before);
  });

  test('names at the limits are fine: one character, MAX_NAME_LENGTH characters, any well-formed Unicode', () => {
    const injector = new ErrorInjector({ enabled: true });
    for (const name of ['x', 'n'.repeat(MAX_NAME_LENGTH), 'köln/😀 with spaces', 'a"b\\c']) {
      injector.enable(name);
      expect(injector.enter(name)).toBe(true);
    }
  });
});

const badOptions: Array<[string, unknown, string]> = [
  ['options null', null, 'injection "keep": options must be an object, got null'],
  ['options a string', 'oneShot', 'injection "keep": options must be an object, got "oneShot"'],
  ['options an array', [], 'injection "keep": options must be an object, got []'],
  [
    'an unknown option (a typo)',
    { oneshot: true },
    'injection "keep": unknown option "oneshot" (known: oneShot, count, skip, probability, seed, scope, parameters)',
  ],
  ['parameters a string', { parameters: 'a=1' }, 'injection "keep": parameters must be a plain object of strings, got string'],
  ['parameters null', { parameters: null }, 'injection "keep": parameters must be a plain object of strings, got null'],
  ['parameters an array', { parameters: ['a'] }, 'injection "keep": parameters must be a plain object of strings, got an array'],
  [
    'parameters a Map',
    { parameters: new Map([['a', '1']]) },
    'injection "keep": parameters must be a plain object of strings, got a Map',
  ],
  ['a number parameter', { parameters: { a: 1 } }, 'injection "keep": parameter "a" must be a string, got number'],
  ['a boolean parameter', { parameters: { a: true } }, 'injection "keep": parameter "a" must be a string, got boolean'],
  ['a null parameter', { parameters: { a: null } }, 'injection "keep": parameter "a" must be a string, got null'],
  ['an object parameter', { parameters: { a: {} } }, 'injection "keep": parameter "a" must be a string, got object'],
  ['an undefined parameter', { parameters: { a: undefined } }, 'injection "keep": parameter "a" must be a string, got undefined'],
  ['probability above 1', { probability: 1.5 }, 'injection "keep": probability must be a number from 0 to 1, got 1.5'],
  ['probability below 0', { probability: -0.1 }, 'injection "keep": probability must be a number from 0 to 1, got -0.1'],
  ['probability NaN', { probability: NaN }, 'injection "keep": probability must be a number from 0 to 1, got NaN'],
  ['probability a string', { probability: '0.5' }, 'injection "keep": probability must be a number from 0 to 1, got "0.5"'],
  ['count 0', { count: 0 }, 'injection "keep": count must be an integer >= 1, got 0'],
  ['count negative', { count: -2 }, 'injection "keep": count must be an integer >= 1, got -2'],
  ['count not an integer', { count: 1.5 }, 'injection "keep": count must be an integer >= 1, got 1.5'],
  ['count Infinity', { count: Infinity }, 'injection "keep": count must be an integer >= 1, got Infinity'],
  ['count a string', { count: '3' }, 'injection "keep": count must be an integer >= 1, got "3"'],
  ['skip negative', { skip: -1 }, 'injection "keep": skip must be an integer >= 0, got -1'],
  ['skip not an integer', { skip: 0.5 }, 'injection "keep": skip must be an integer >= 0, got 0.5'],
  ['seed negative', { seed: -1 }, 'injection "keep": seed must be an integer from 0 to 4294967295, got -1'],
  ['seed not an integer', { seed: 1.25 }, 'injection "keep": seed must be an integer from 0 to 4294967295, got 1.25'],
  ['seed above 32 bits', { seed: 2 ** 32 }, 'injection "keep": seed must be an integer from 0 to 4294967295, got 4294967296'],
  ['oneShot a string', { oneShot: 'true' }, 'injection "keep": oneShot must be a boolean, got "true"'],
  ['oneShot a number', { oneShot: 1 }, 'injection "keep": oneShot must be a boolean, got 1'],
  ['scope empty', { scope: '' }, 'injection "keep": scope: a scope must not be empty'],
  ['scope a number', { scope: 7 }, 'injection "keep": scope: a scope must be a string, got number'],
  ['scope too long', { scope: 'x'.repeat(129) }, 'injection "keep": scope: a scope is at most 128 characters, got 129'],
  [
    'scope with a space',
    { scope: 'test 1' },
    'injection "keep": scope: a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got "test 1"',
  ],
  [
    'scope with a newline',
    { scope: 'a\nb' },
    'injection "keep": scope: a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got "a\\nb"',
  ],
  [
    'scope not ASCII',
    { scope: 'tést' },
    'injection "keep": scope: a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got "tést"',
  ],
];

describe('bad options to enable', () => {
  test.each(badOptions)('%s: refused, and the enabled injection is left exactly as it was', async (_l, options, message) => {
    const guarded = await guardedInjector();
    const before = guarded.snapshot();
    const err = thrownBy(() => guarded.injector.enable('keep', options as EnableOptions));
    expectError(err, InvalidInjectionError, { code: 'ERR_FAULTLINE_INVALID', message });
    await expectUnchanged(guarded, before);
  });

  test.each(badOptions)('%s: refused for a new name, which stays disabled', (_l, options) => {
    const injector = new ErrorInjector({ enabled: true });
    expect(() => injector.enable('fresh', options as EnableOptions)).toThrow(InvalidInjectionError);
    expect(injector.enabledInjections()).toEqual([]);
    expect(injector.enter('fresh')).toBe(false);
  });

  test('options that are present but undefined count as absent', () => {
    const injector = new ErrorInjector({ enabled: true });
    injector.enable('x', { oneShot: undefined, parameters: undefined, count: undefined, extra: undefined } as EnableOptions);
    expect(injector.get('x')).toEqual({ name: 'x', enabled: true, oneShot: false, parameters: {}, hits: 0, lifetimeHits: 0, waiters: 0 });
  });

  test('the edges of every range are accepted', () => {
    const injector = new ErrorInjector({ enabled: true });
    injector.enable('x', { probability: 0, count: 1, skip: 0, seed: 0 });
    injector.enable('y', { probability: 1, count: Number.MAX_SAFE_INTEGER, seed: 0xffffffff, parameters: {} });
    expect(injector.enabledInjections()).toEqual(['x', 'y']);
  });
});

describe('validate helpers', () => {
  test('validateName accepts a valid name and returns nothing', () => {
    expect(validateName('ok')).toBeUndefined();
  });

  test('validateParameters returns one frozen empty object for no parameters', () => {
    expect(validateParameters('x', undefined)).toBe(validateParameters('x', {}));
    expect(Object.isFrozen(validateParameters('x', { a: 'b' }))).toBe(true);
  });

  test('validateParameters takes null-prototype objects', () => {
    const p = Object.assign(Object.create(null) as Record<string, string>, { a: 'b' });
    expect(validateParameters('x', p)).toEqual({ a: 'b' });
  });

  test('validateTimeout accepts 0 and Infinity', () => {
    expect(validateTimeout('t', 0)).toBe(0);
    expect(validateTimeout('t', Infinity)).toBe(Infinity);
  });

  test.each([
    [NaN, 'NaN'],
    [-Infinity, '-Infinity'],
    [10n, '10'],
    [undefined, 'undefined'],
    [() => 1, 'a function'],
    ['s', '"s"'],
    [{ a: 1 }, '{"a":1}'],
    [Symbol('s'), 'Symbol(s)'],
  ])('describeValue(%p) is %s', (value, shown) => {
    expect(describeValue(value)).toBe(shown);
  });

  test('describeValue survives values JSON cannot show', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(describeValue(cyclic)).toBe('[object Object]');
  });
});
