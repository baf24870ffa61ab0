import { booleanValue, integerValue, parseQuery, probabilityValue } from '../../lib/server/query';

const bad = expect.objectContaining({ status: 400, code: 'ERR_FAULTLINE_BAD_QUERY' });

describe('parseQuery', () => {
  test('collects repeated parameters in order and decodes once', () => {
    const q = parseQuery('a=1&b=x%2520y&a=2&b=+', ['a', 'b']);
    expect(q.get('a')).toEqual(['1', '2']);
    expect(q.get('b')).toEqual(['x%20y', ' ']);
  });

  test('refuses percent-escapes that are not UTF-8 instead of turning them into U+FFFD', () => {
    for (const raw of ['injection=%FF', 'injection=%ED%A0%80', 'injection=%C0%AF', 'injection=100%']) {
      expect(() => parseQuery(raw, ['injection'])).toThrow(bad);
      expect(() => parseQuery(raw, ['injection'])).toThrow(`the query ${JSON.stringify(raw)} is not valid percent-encoded UTF-8`);
    }
    expect(parseQuery('injection=%C3%A9', ['injection']).get('injection')).toEqual(['é']);
  });

  test('refuses an unknown parameter, naming what the route takes', () => {
    expect(() => parseQuery('injections=a', ['injection'])).toThrow(bad);
    expect(() => parseQuery('injections=a', ['injection'])).toThrow(/takes injection/);
    expect(() => parseQuery('x', [])).toThrow(/takes no query parameters/);
  });
});

describe('values', () => {
  test('booleans: true/false in any case, 1/0; empty only where a flag allows it', () => {
    const q = (raw: string) => parseQuery(raw, ['f']);
    expect(booleanValue(q('f=True'), 'f')).toBe(true);
    expect(booleanValue(q('f=FALSE'), 'f')).toBe(false);
    expect(booleanValue(q('f=1'), 'f')).toBe(true);
    expect(booleanValue(q(''), 'f')).toBeUndefined();
    expect(booleanValue(q('f'), 'f', true)).toBe(true);
    for (const raw of ['f=yes', 'f=', 'f=tru', 'f=1&f=1']) expect(() => booleanValue(q(raw), 'f')).toThrow(bad);
  });

  test('integers: decimal digits only, at least min, safe', () => {
    const q = (raw: string) => parseQuery(raw, ['n']);
    expect(integerValue(q('n=0'), 'n', 0)).toBe(0);
    expect(integerValue(q('n=0042'), 'n', 1)).toBe(42);
    for (const raw of ['n=0', 'n=-1', 'n=1.0', 'n=1e3', 'n=0x10', 'n= 1', 'n=', 'n=99999999999999999']) {
      expect(() => integerValue(q(raw), 'n', 1)).toThrow(bad);
    }
  });

  test('probability: a decimal from 0 to 1', () => {
    const q = (raw: string) => parseQuery(raw, ['p']);
    expect(probabilityValue(q('p=0'), 'p')).toBe(0);
    expect(probabilityValue(q('p=.25'), 'p')).toBe(0.25);
    expect(probabilityValue(q('p=1'), 'p')).toBe(1);
    expect(probabilityValue(q('p=5e-1'), 'p')).toBe(0.5);
    for (const raw of ['p=1.01', 'p=-0.1', 'p=NaN', 'p=Infinity', 'p=', 'p=0x1', 'p=1/2']) expect(() => probabilityValue(q(raw), 'p')).toThrow(bad);
  });
});
