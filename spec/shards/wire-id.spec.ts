import { newEpoch } from '../../lib/shards/wire-id';

describe('newEpoch', () => {
  it('draws a different base36 epoch each time, with no dash', () => {
    const epochs = new Set(Array.from({ length: 100 }, newEpoch));
    expect(epochs.size).toBe(100);
    for (const e of epochs) expect(e).toMatch(/^[0-9a-z]+$/);
  });
});
