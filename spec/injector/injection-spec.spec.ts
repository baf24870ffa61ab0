import { ErrorInjector } from '../../lib/injector/error-injector';
import { InjectionSpecError } from '../../lib/injector/errors';
import { enableFromSpec, parseInjectionSpec } from '../../lib/injector/injection-spec';
import { thrownBy } from '../helpers/expect-error';

const SOURCE = 'FAULTLINE_INJECTIONS';
const parse = (text: string) => parseInjectionSpec(text, SOURCE);

describe('parseInjectionSpec: the term form', () => {
  it.each([
    ['', []],
    ['a', [['a', {}]]],
    ['a;b.c', [['a', {}], ['b.c', {}]]],
    [' a ; ; b ;', [['a', {}], ['b', {}]]],
    ['a=25%', [['a', { probability: 0.25 }]]],
    ['a=12.5%', [['a', { probability: 0.125 }]]],
    ['a=3*', [['a', { count: 3 }]]],
    ['a=once', [['a', { oneShot: true }]]],
    ['a=skip2', [['a', { skip: 2 }]]],
    ['a=50%seed7', [['a', { probability: 0.5, seed: 7 }]]],
    ['a=25%3*(ms=200)', [['a', { probability: 0.25, count: 3, parameters: { ms: '200' } }]]],
    ['a=once skip1 (k=v, k2 = v 2)', [['a', { oneShot: true, skip: 1, parameters: { k: 'v', k2: 'v 2' } }]]],
    ['a=(ms=200)', [['a', { parameters: { ms: '200' } }]]],
    ['a=()', [['a', { parameters: {} }]]],
    ['a=(k="x,y;z)")', [['a', { parameters: { k: 'x,y;z)' } }]]],
    ['a=(k="tab\\tquote\\"")', [['a', { parameters: { k: 'tab\tquote"' } }]]],
    ['a=(k=)', [['a', { parameters: { k: '' } }]]],
    ['a=(__proto__=x)', [['a', { parameters: JSON.parse('{"__proto__":"x"}') as Record<string, string> }]]],
  ])('%j', (text, expected) => {
    expect(parse(text)).toEqual(expected);
  });

  it('keeps a parameter named __proto__ as data', () => {
    const [[, options]] = parse('a=(__proto__=x)');
    expect(Object.keys(options.parameters ?? {})).toEqual(['__proto__']);
    expect(Object.getPrototypeOf(options.parameters)).toBe(Object.prototype);
  });
});

describe('parseInjectionSpec: the JSON form', () => {
  it('takes the options object of enable for each name', () => {
    expect(parse(' {"a": {"oneShot": true, "parameters": {"ms": "5"}}, "b;=": {}}')).toEqual([
      ['a', { oneShot: true, parameters: { ms: '5' } }],
      ['b;=', {}],
    ]);
  });
});

describe('parseInjectionSpec: mistakes name the source, the entry and the position', () => {
  it.each([
    ['a=3x', `${SOURCE}: entry "a=3x", character 4 (found "x"): expected '%' (probability) or '*' (count) after 3`],
    ['a=150%', `${SOURCE}: entry "a=150%", character 3 (found "1"): a probability is 0% to 100%, got 150%`],
    ['a=1.5*', `${SOURCE}: entry "a=1.5*", character 3 (found "1"): a count is a whole number, got 1.5`],
    ['a=0*', `${SOURCE}: entry "a=0*", character 3 (found "0"): injection "a": count must be an integer >= 1, got 0`],
    ['ok;a=skip', `${SOURCE}: entry "a=skip", character 10 (found the end): expected a whole number after 'skip' (e.g. skip2)`],
    [
      'a=seed4294967296',
      `${SOURCE}: entry "a=seed4294967296", character 3 (found "s"): injection "a": seed must be an integer from 0 to 4294967295, got 4294967296`,
    ],
    ['a=once once', `${SOURCE}: entry "a=once once", character 8 (found "o"): oneShot is given twice`],
    ['a=once!', `${SOURCE}: entry "a=once!", character 7 (found "!"): expected ';' or the end after "a"'s term`],
    ['=b', `${SOURCE}: entry "=b", character 1 (found "="): an entry starts with a name`],
    ['a=(k=1', `${SOURCE}: entry "a=(k=1", character 7 (found the end): expected ',' or ')' after a parameter`],
    ['a=(k="x)', `${SOURCE}: entry "a=(k=\\"x)", character 6 (found "\\""): a quoted value is not closed`],
    ['a=(=1)', `${SOURCE}: entry "a=(=1)", character 4 (found "="): expected a parameter name (key=value)`],
    ['a=(k=1,k=2)', `${SOURCE}: entry "a=(k=1,k=2)", character 8 (found "k"): parameter "k" is given twice`],
    ['a=(k 1)', `${SOURCE}: entry "a=(k 1)", character 7 (found ")"): expected '='`],
    ['a\u0001=1*', `${SOURCE}: entry "a\\u0001=1*", character 1: injection name "a\\u0001" contains a control character`],
    ['a;a=once', `${SOURCE}: injection "a" is given twice`],
    ['{"a": 1}', `${SOURCE}: entry "a": injection "a": options must be an object, got 1`],
    [
      '{"a": {"cnt": 1}}',
      `${SOURCE}: entry "a": injection "a": unknown option "cnt" (known: oneShot, count, skip, probability, seed, scope, parameters)`,
    ],
    ['{"a": {"parameters": {"k": 1}}}', `${SOURCE}: entry "a": injection "a": parameter "k" must be a string, got number`],
  ])('%j', (text, message) => {
    const err = thrownBy(() => parse(text));
    expect(err).toBeInstanceOf(InjectionSpecError);
    expect(err).toMatchObject({ code: 'ERR_FAULTLINE_INJECTION_SPEC', source: SOURCE, message });
  });

  // JSON.parse words its errors differently from one Node version to the next: only the position is ours to check.
  it.each([
    ['{bad', 1],
    ['{"a": {} "b": {}}', 9],
  ])('names the JSON position of a JSON syntax error in %j', (text, position) => {
    const err = thrownBy(() => parse(text));
    expect(err).toBeInstanceOf(InjectionSpecError);
    expect((err as Error).message).toMatch(new RegExp(`^FAULTLINE_INJECTIONS: not valid JSON: .*position ${position}\\b`));
  });
});

describe('enableFromSpec', () => {
  it('enables every entry, in order, with its options', () => {
    const injector = new ErrorInjector({ enabled: true });
    enableFromSpec(injector, 'a=once;b=25%seed3(k=v)', SOURCE);
    expect(injector.enabledInjections()).toEqual(['a', 'b']);
    expect(injector.get('a')).toMatchObject({ oneShot: true });
    expect(injector.get('b')).toMatchObject({ probability: 0.25, seed: 3, parameters: { k: 'v' } });
  });

  it('enables nothing when a later entry is bad', () => {
    const injector = new ErrorInjector({ enabled: true });
    expect(() => enableFromSpec(injector, 'good=once;bad=2%x', SOURCE)).toThrow(InjectionSpecError);
    expect(injector.enabledInjections()).toEqual([]);
  });

  it('refuses, enabling nothing, on an injector that is switched off', () => {
    const injector = new ErrorInjector({ enabled: false });
    expect((thrownBy(() => enableFromSpec(injector, 'a;b', SOURCE)) as Error).message).toBe(
      `${SOURCE}: it enables "a", "b", but error injection is switched off here (FAULTLINE=off?)`,
    );
    expect(injector.enabledInjections()).toEqual([]);
  });

  it('an empty spec is fine even when switched off', () => {
    expect(enableFromSpec(new ErrorInjector({ enabled: false }), ' ; ', SOURCE)).toEqual([]);
  });
});
