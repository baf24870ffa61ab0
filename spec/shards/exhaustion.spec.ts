import type { ControlNotice } from '../../lib/event';
import { ErrorInjector } from '../../lib/injector';
import { runInInjectionScope } from '../../lib/injector/scope';
import { ExhaustionTracker } from '../../lib/shards/exhaustion';

// The tracker alone, with the main thread's real injector as shard 0 and workers stood in for by the calls the
// group makes as their items and acks arrive (spec/server/workers.spec.ts runs it with real worker threads).

function setup(workers: number) {
  const injector = new ErrorInjector({ enabled: true });
  const down = new Set<number>();
  const shards = { count: workers + 1, isDown: (s: number) => down.has(s) };
  const sent: ControlNotice[] = [];
  const tracker = new ExhaustionTracker(injector, shards, (notice) => sent.push(notice));
  /** What ShardGroup.enableOnAll does: shard 0 applies, every worker acks, the 'enabled' notice goes out. */
  const enable = (name: string, options: { oneShot?: boolean; scope?: string } = { oneShot: true }) => {
    injector.enable(name, options);
    const enablement = tracker.enabling(name, options.scope);
    for (let s = 1; s <= workers; s++) if (!down.has(s)) tracker.applied(enablement, s);
    tracker.announced(enablement);
  };
  return { injector, tracker, down, sent, enable };
}

const exhausted = (injection: string): ControlNotice => ({ op: 'exhausted', injection, shard: null, ts: expect.any(Number) as unknown as number });

describe('ExhaustionTracker', () => {
  it('sends one notice once shard 0 and every live worker ran out, and no more', () => {
    const { injector, tracker, sent, enable } = setup(2);
    enable('x');
    injector.enter('x');
    tracker.exhausted(1, 'x');
    expect(sent).toEqual([]);
    tracker.exhausted(2, 'x');
    expect(sent).toEqual([exhausted('x')]);
    tracker.exhausted(2, 'x');
    tracker.shardLeft();
    expect(sent).toHaveLength(1);
  });

  it("ignores what a worker reports before it acked the enable (it ran out the one before)", () => {
    const { injector, tracker, sent } = setup(1);
    injector.enable('x', { oneShot: true });
    const enablement = tracker.enabling('x');
    tracker.exhausted(1, 'x'); // posted before its ack: the earlier enablement's
    tracker.applied(enablement, 1);
    tracker.announced(enablement);
    injector.enter('x');
    expect(sent).toEqual([]);
    tracker.exhausted(1, 'x');
    expect(sent).toEqual([exhausted('x')]);
  });

  it("waits for the 'enabled' notice: an enablement that ran out before it is announced sends its notice then", () => {
    const { injector, tracker, sent } = setup(0);
    injector.enable('x', { oneShot: true });
    const enablement = tracker.enabling('x');
    injector.enter('x');
    expect(sent).toEqual([]);
    tracker.announced(enablement);
    expect(sent).toEqual([exhausted('x')]);
  });

  it('a worker that leaves no longer counts: the others having run out is enough', () => {
    const { injector, tracker, down, sent, enable } = setup(2);
    enable('x');
    injector.enter('x');
    tracker.exhausted(2, 'x');
    expect(sent).toEqual([]);
    down.add(1);
    tracker.shardLeft();
    expect(sent).toEqual([exhausted('x')]);
  });

  it('a disable, a disable-all or a new enable forgets what ran out before', () => {
    const { injector, tracker, sent, enable } = setup(1);
    enable('a');
    enable('b');
    injector.enter('a');
    injector.enter('b');
    tracker.disabled('a');
    tracker.disabledAll();
    tracker.exhausted(1, 'a');
    tracker.exhausted(1, 'b');
    enable('c');
    injector.enter('c');
    enable('c');
    tracker.exhausted(1, 'c');
    expect(sent).toEqual([]);
    injector.enter('c');
    expect(sent).toEqual([exhausted('c')]);
  });

  it("keys by name and scope: each scope's enablement of a name runs out apart, and its notice carries the scope", () => {
    const { injector, tracker, sent, enable } = setup(1);
    enable('x', { oneShot: true, scope: 'a' });
    enable('x', { oneShot: true, scope: 'b' });
    enable('x');
    runInInjectionScope('a', () => injector.enter('x'));
    tracker.exhausted(1, 'x', 'b');
    tracker.exhausted(1, 'x');
    expect(sent).toEqual([]);
    tracker.exhausted(1, 'x', 'a');
    expect(sent).toEqual([{ ...exhausted('x'), scope: 'a' }]);
    injector.enter('x');
    expect(sent).toEqual([{ ...exhausted('x'), scope: 'a' }, exhausted('x')]);
    expect('scope' in sent[1]).toBe(false);
  });

  it("a scoped disable forgets that scope's enablement only; a disable without a scope forgets every one of the name", () => {
    const { injector, tracker, sent, enable } = setup(1);
    enable('x', { oneShot: true, scope: 'a' });
    enable('x', { oneShot: true, scope: 'b' });
    enable('x', { oneShot: true, scope: 'c' });
    tracker.disabled('x', 'a');
    for (const scope of ['a', 'b']) {
      runInInjectionScope(scope, () => injector.enter('x'));
      tracker.exhausted(1, 'x', scope);
    }
    expect(sent).toEqual([{ ...exhausted('x'), scope: 'b' }]);
    tracker.disabled('x');
    runInInjectionScope('c', () => injector.enter('x'));
    tracker.exhausted(1, 'x', 'c');
    expect(sent).toHaveLength(1);
  });

  it('tracks only what was enabled through it; close() stops listening to shard 0', () => {
    const { injector, tracker, sent, enable } = setup(0);
    injector.enable('local', { oneShot: true });
    injector.enter('local');
    tracker.exhausted(1, 'unknown');
    expect(sent).toEqual([]);
    enable('x');
    tracker.close();
    injector.enter('x');
    expect(sent).toEqual([]);
  });
});
