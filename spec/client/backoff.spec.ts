import { reconnectDelay, resolveReconnectPolicy } from '../../lib/client/backoff';
import { ClientArgumentError } from '../../lib/client/errors';

describe('reconnect backoff', () => {
  const policy = resolveReconnectPolicy({ maxDelay: 1000, jitter: 0.5 });

  it('doubles from the base and stops at the ceiling', () => {
    const noJitter = resolveReconnectPolicy({ maxDelay: 1000, jitter: 0 });
    expect([0, 1, 2, 3, 4, 5].map((n) => reconnectDelay(n, 100, noJitter))).toEqual([100, 200, 400, 800, 1000, 1000]);
  });

  it('takes a random share off, never more than the jitter', () => {
    expect(reconnectDelay(0, 100, policy, () => 0)).toBe(100);
    expect(reconnectDelay(0, 100, policy, () => 1)).toBe(50);
    expect(reconnectDelay(3, 100, policy, () => 0.5)).toBe(600);
  });

  it('spreads clients out: different random draws give different delays', () => {
    const draws = [0.1, 0.4, 0.9].map((r) => reconnectDelay(2, 100, policy, () => r));
    expect(new Set(draws).size).toBe(3);
  });

  it('has bounded defaults', () => {
    expect(resolveReconnectPolicy(undefined)).toEqual({ attempts: 10, initialDelay: undefined, maxDelay: 5000, jitter: 0.5 });
  });

  it('refuses impossible policies', () => {
    expect(() => resolveReconnectPolicy({ attempts: -1 })).toThrow(ClientArgumentError);
    expect(() => resolveReconnectPolicy({ attempts: 1.5 })).toThrow(/attempts must be an integer/);
    expect(() => resolveReconnectPolicy({ maxDelay: Number.NaN })).toThrow(/maxDelay/);
    expect(() => resolveReconnectPolicy({ jitter: 2 })).toThrow(/jitter/);
  });
});
