import { EMPTY, EmptyError, Observable, of, Subject, throwError } from 'rxjs';
import { settleFirst } from '../../lib/client/settle-first';

class TimedOut extends Error {
  readonly code = 'TIMED_OUT';
}

const timedOut = (): Error => new TimedOut('timed out');

/** Timers this process holds: a settled wait must leave none of its own behind. */
const timeouts = (): number => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

/** An observable that records whether it was ever subscribed. */
function watched<T>(source: Observable<T>): { source: Observable<T>; subscribed: () => boolean } {
  let subscribed = false;
  return {
    source: new Observable<T>((subscriber) => {
      subscribed = true;
      return source.subscribe(subscriber);
    }),
    subscribed: () => subscribed,
  };
}

describe('settleFirst', () => {
  it('resolves with the first value of any source, then unsubscribes every source and clears its timer', async () => {
    const a = new Subject<number>();
    const b = new Subject<number>();
    const before = timeouts();
    const settled = settleFirst([a, b], 60_000, timedOut);
    expect(a.observed && b.observed).toBe(true);
    expect(timeouts()).toBe(before + 1);
    b.next(2);
    a.next(1);
    await expect(settled).resolves.toBe(2);
    expect(a.observed || b.observed).toBe(false);
    expect(timeouts()).toBe(before);
  });

  it('rejects with the first error, then unsubscribes every source and clears its timer', async () => {
    const a = new Subject<number>();
    const b = new Subject<number>();
    const before = timeouts();
    const settled = settleFirst([a, b], 60_000, timedOut);
    const failure = new Error('node lost');
    a.error(failure);
    b.next(1);
    await expect(settled).rejects.toBe(failure);
    expect(b.observed).toBe(false);
    expect(timeouts()).toBe(before);
  });

  it('takes a value a source replays as it is subscribed, and does not subscribe the sources after it', async () => {
    const later = watched(throwError(() => new Error('too late')));
    const before = timeouts();
    await expect(settleFirst([of(7), later.source], 60_000, timedOut)).resolves.toBe(7);
    expect(later.subscribed()).toBe(false);
    expect(timeouts()).toBe(before);
  });

  it('lets the earlier source win when two would settle at once', async () => {
    await expect(settleFirst([of(1), of(2)], 60_000, timedOut)).resolves.toBe(1);
    await expect(settleFirst([throwError(() => new Error('first')), of(2)], 60_000, timedOut)).rejects.toThrow('first');
  });

  it('waits on while only some sources completed, and rejects with EmptyError once all did without a value', async () => {
    const live = new Subject<number>();
    const waiting = settleFirst([EMPTY, live], 60_000, timedOut);
    expect(live.observed).toBe(true);
    live.next(3);
    await expect(waiting).resolves.toBe(3);

    const before = timeouts();
    await expect(settleFirst([EMPTY, EMPTY], 60_000, timedOut)).rejects.toBeInstanceOf(EmptyError);
    expect(timeouts()).toBe(before);
  });

  it('rejects with the timeout error when nothing came within `ms`, and unsubscribes every source', async () => {
    const a = new Subject<number>();
    const settled = settleFirst([a], 20, timedOut);
    await expect(settled).rejects.toMatchObject({ code: 'TIMED_OUT' });
    expect(a.observed).toBe(false);
    a.next(1);
    await expect(settled).rejects.toBeInstanceOf(TimedOut);
  });
});
