import { setImmediate as nextTurn } from 'node:timers/promises';
import { EventEmitter } from 'node:events';
import { InvalidInjectionError } from '../../lib/injector/errors';
import { currentInjectionScope, InvalidScopeError, runInInjectionScope, validateScope } from '../../lib/injector/scope';
import { MAX_SCOPE_LENGTH } from '../../lib/wire';
import { expectError, thrownBy } from '../helpers/expect-error';

describe('runInInjectionScope and currentInjectionScope', () => {
  test('outside any scope there is none; inside, the scope given; after, none again', () => {
    expect(currentInjectionScope()).toBeUndefined();
    const seen = runInInjectionScope('t1', () => currentInjectionScope());
    expect(seen).toBe('t1');
    expect(currentInjectionScope()).toBeUndefined();
  });

  test('returns what the function returns, a promise included', async () => {
    expect(runInInjectionScope('t1', () => 42)).toBe(42);
    await expect(runInInjectionScope('t1', async () => 'done')).resolves.toBe('done');
  });

  test('the scope follows awaits, timers, setImmediate, promise callbacks and event listeners registered inside', async () => {
    const emitter = new EventEmitter();
    const seen = await runInInjectionScope('deep', async () => {
      const found: Record<string, string | undefined> = {};
      await nextTurn();
      found.afterAwait = currentInjectionScope();
      found.timer = await new Promise<string | undefined>((resolve) => setTimeout(() => resolve(currentInjectionScope()), 1));
      found.immediate = await new Promise<string | undefined>((resolve) => setImmediate(() => resolve(currentInjectionScope())));
      found.then = await Promise.resolve().then(() => currentInjectionScope());
      const listened = new Promise<string | undefined>((resolve) => emitter.once('go', () => resolve(currentInjectionScope())));
      emitter.emit('go');
      found.listener = await listened;
      return found;
    });
    expect(seen).toEqual({ afterAwait: 'deep', timer: 'deep', immediate: 'deep', then: 'deep', listener: 'deep' });
  });

  test('two scopes run interleaved, each keeps its own through every await', async () => {
    const run = (scope: string) =>
      runInInjectionScope(scope, async () => {
        const seen: (string | undefined)[] = [];
        for (let i = 0; i < 20; i++) {
          await nextTurn();
          seen.push(currentInjectionScope());
        }
        return seen;
      });
    const [a, b] = await Promise.all([run('a'), run('b')]);
    expect(a).toEqual(Array(20).fill('a'));
    expect(b).toEqual(Array(20).fill('b'));
  });

  test('a nested call replaces the scope for its own duration only', () => {
    const seen = runInInjectionScope('outer', () => {
      const inner = runInInjectionScope('inner', () => currentInjectionScope());
      return [inner, currentInjectionScope()];
    });
    expect(seen).toEqual(['inner', 'outer']);
  });

  test('a scope of exactly the longest length and every printable ASCII character is accepted', () => {
    const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
    expect(runInInjectionScope(printable, () => currentInjectionScope())).toBe(printable);
    const longest = 'x'.repeat(MAX_SCOPE_LENGTH);
    expect(runInInjectionScope(longest, () => currentInjectionScope())).toBe(longest);
  });
});

describe('bad scopes', () => {
  const PRINTABLE = 'a scope holds printable ASCII characters other than space (0x21 to 0x7e) only';
  const bad: Array<[string, unknown, string]> = [
    ['empty', '', 'invalid injection scope: a scope must not be empty'],
    ['too long', 'x'.repeat(MAX_SCOPE_LENGTH + 1), `invalid injection scope: a scope is at most ${MAX_SCOPE_LENGTH} characters, got ${MAX_SCOPE_LENGTH + 1}`],
    ['a number', 7, 'invalid injection scope: a scope must be a string, got number'],
    ['null', null, 'invalid injection scope: a scope must be a string, got null'],
    ['undefined', undefined, 'invalid injection scope: a scope must be a string, got undefined'],
    ['with a space', 'a b', `invalid injection scope: ${PRINTABLE}, got "a b"`],
    ['with a tab', 'a\tb', `invalid injection scope: ${PRINTABLE}, got "a\\tb"`],
    ['with CR LF', 'a\r\nb', `invalid injection scope: ${PRINTABLE}, got "a\\r\\nb"`],
    ['with DEL', 'a\u007f', `invalid injection scope: ${PRINTABLE}, got "a\u007f"`],
    ['not ASCII', 'é', `invalid injection scope: ${PRINTABLE}, got "é"`],
  ];

  test.each(bad)('%s: runInInjectionScope throws InvalidScopeError and never runs the function', (_label, scope, message) => {
    const fn = jest.fn();
    const err = thrownBy(() => runInInjectionScope(scope as string, fn));
    expectError(err, InvalidScopeError, { code: 'ERR_FAULTLINE_INVALID_SCOPE', message, scope });
    expect(fn).not.toHaveBeenCalled();
    expect(currentInjectionScope()).toBeUndefined();
  });

  test.each(bad)('%s: validateScope throws the same', (_label, scope, message) => {
    expectError(thrownBy(() => validateScope(scope)), InvalidScopeError, { code: 'ERR_FAULTLINE_INVALID_SCOPE', message });
  });

  test('a function that is not one is refused before anything runs', () => {
    const err = thrownBy(() => runInInjectionScope('t1', 'nope' as unknown as () => void));
    expectError(err, InvalidInjectionError, {
      code: 'ERR_FAULTLINE_INVALID',
      message: 'runInInjectionScope needs a function, got string',
    });
  });
});
