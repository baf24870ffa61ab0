import { formatWireId, newEpoch, parseWireId } from '../../lib/shards/wire-id';

describe('wire ids', () => {
  it('round-trips `${epoch}-${seq}`', () => {
    const epoch = newEpoch();
    expect(epoch).toMatch(/^[0-9a-z]+$/);
    expect(parseWireId(formatWireId(epoch, 42))).toEqual({ epoch, seq: 42 });
  });

  it('splits at the last dash, so an epoch may hold one', () => {
    expect(parseWireId('a-b-7')).toEqual({ epoch: 'a-b', seq: 7 });
  });

  it.each(['', '7', '-7', 'abc-', 'abc-0', 'abc-07', 'abc-1.5', 'abc- 1', 'abc-99999999999999999'])(
    'refuses %j',
    (id) => {
      expect(parseWireId(id)).toBeUndefined();
    },
  );

  it('draws a different epoch each time', () => {
    const epochs = new Set(Array.from({ length: 100 }, newEpoch));
    expect(epochs.size).toBe(100);
  });
});
