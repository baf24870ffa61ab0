import { parametersFromBody } from '../../lib/server/parameters';

const bytes = (text: string) => ({ kind: 'bytes' as const, bytes: Buffer.from(text) });

describe('parametersFromBody (ScyllaDB\'s parse_to_map)', () => {
  test('an empty body means no parameters', () => {
    expect(parametersFromBody(bytes(''))).toBeUndefined();
    expect(parametersFromBody({ kind: 'parsed', value: '' })).toBeUndefined();
    expect(parametersFromBody({ kind: 'parsed', value: undefined })).toBeUndefined();
  });

  test('string values as they are, others as their JSON text', () => {
    expect(parametersFromBody(bytes('{"s":"v","n":42,"f":1.5,"b":false,"z":null,"a":[1,"x"],"o":{"k":"v"}}'))).toEqual({
      s: 'v',
      n: '42',
      f: '1.5',
      b: 'false',
      z: 'null',
      a: '[1,"x"]',
      o: '{"k":"v"}',
    });
  });

  test('keeps a "__proto__" key as a parameter', () => {
    const p = parametersFromBody(bytes('{"__proto__":"x"}')) as Record<string, string>;
    expect(Object.keys(p)).toEqual(['__proto__']);
    expect(Object.getOwnPropertyDescriptor(p, '__proto__')?.value).toBe('x');
  });

  test('what a body parser already parsed (Express) is used: objects, strings and buffers', () => {
    expect(parametersFromBody({ kind: 'parsed', value: { n: 1 } })).toEqual({ n: '1' });
    expect(parametersFromBody({ kind: 'parsed', value: '{"a":"b"}' })).toEqual({ a: 'b' });
    expect(parametersFromBody({ kind: 'parsed', value: Buffer.from('{"a":"b"}') })).toEqual({ a: 'b' });
  });

  test.each([
    ['{', 'ERR_FAULTLINE_BAD_JSON'],
    ['{"a":1,}', 'ERR_FAULTLINE_BAD_JSON'],
    [' ', 'ERR_FAULTLINE_BAD_JSON'],
    ['[]', 'ERR_FAULTLINE_BAD_BODY'],
    ['"s"', 'ERR_FAULTLINE_BAD_BODY'],
    ['7', 'ERR_FAULTLINE_BAD_BODY'],
    ['null', 'ERR_FAULTLINE_BAD_BODY'],
  ])('%j is a 400 %s', (text, code) => {
    expect(() => parametersFromBody(bytes(text))).toThrow(expect.objectContaining({ status: 400, code }));
    expect(() => parametersFromBody(bytes(text))).toThrow(/^Failed to parse injections parameters: /);
  });

  test('invalid UTF-8 is a 400', () => {
    expect(() => parametersFromBody({ kind: 'bytes', bytes: Buffer.from([0x7b, 0x22, 0xc3, 0x22, 0x7d]) })).toThrow(
      expect.objectContaining({ status: 400, code: 'ERR_FAULTLINE_BAD_JSON' }),
    );
  });
});
