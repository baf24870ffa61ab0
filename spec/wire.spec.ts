import { newEpoch } from '../lib/shards/wire-id';
import { CONTROL_CHARACTER, DASHBOARD_PATH, EVENTS_PATH, epochOf, formatWireId, parseWireId } from '../lib/wire';

describe('wire ids', () => {
  it('round-trips `${epoch}-${seq}` with an epoch the server draws', () => {
    const epoch = newEpoch();
    expect(epoch).toMatch(/^[0-9a-z]+$/);
    expect(parseWireId(formatWireId(epoch, 42))).toEqual({ epoch, seq: 42 });
  });

  it('splits at the last dash, so an epoch may hold one', () => {
    expect(parseWireId('a-b-7')).toEqual({ epoch: 'a-b', seq: 7 });
  });

  it('reads `<epoch>-0` as the position before the first hit of that epoch', () => {
    expect(parseWireId('abc-0')).toEqual({ epoch: 'abc', seq: 0 });
  });

  it.each(['', '7', '-7', 'abc-', 'abc-00', 'abc-07', 'abc-1.5', 'abc- 1', 'abc-99999999999999999'])(
    'refuses %j',
    (id) => {
      expect(parseWireId(id)).toBeUndefined();
    },
  );

  it('epochOf is the part of any id before its last dash, the whole id without one', () => {
    expect(epochOf('abc-12')).toBe('abc');
    expect(epochOf('a-b-3')).toBe('a-b');
    expect(epochOf('a-b-x')).toBe('a-b');
    expect(epochOf('17')).toBe('17');
  });
});

describe('paths and characters both sides agree on', () => {
  it('the routes live under ScyllaDB base path', () => {
    expect(EVENTS_PATH).toBe('/v2/error_injection/events');
    expect(DASHBOARD_PATH).toBe('/v2/error_injection/ui/');
  });

  it.each([
    ['NUL', '\u0000'],
    ['newline', '\n'],
    ['unit separator', '\u001f'],
    ['DEL', '\u007f'],
    ['C1 NEL', '\u0085'],
    ['C1 APC', '\u009f'],
  ])('a %s is a control character', (_label, ch) => {
    expect(CONTROL_CHARACTER.test(`a${ch}b`)).toBe(true);
  });

  it.each(['plain', 'tab-free text', 'ümlaut', '\u00a0nbsp', 'emoji 😀'])('%j holds none', (text) => {
    expect(CONTROL_CHARACTER.test(text)).toBe(false);
  });
});
