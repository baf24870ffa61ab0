import { settleWithin } from '../../lib/cli/settle-within';

describe('settleWithin', () => {
  test('says ok for work that finishes, and for no work at all', async () => {
    await expect(settleWithin(Promise.resolve(42), 1000)).resolves.toEqual({ ok: true });
    await expect(settleWithin(undefined, 1000)).resolves.toEqual({ ok: true });
  });

  test('never rejects: a failure is reported with its message', async () => {
    await expect(settleWithin(Promise.reject(new Error('boom')), 1000)).resolves.toEqual({ ok: false, reason: 'boom' });
    await expect(settleWithin(Promise.reject('plain'), 1000)).resolves.toEqual({ ok: false, reason: 'plain' });
  });

  test('gives up on work that never settles, at its bound', async () => {
    const never = new Promise<void>(() => undefined);
    await expect(settleWithin(never, 20)).resolves.toEqual({ ok: false, reason: 'still running after 20 ms' });
  });
});
