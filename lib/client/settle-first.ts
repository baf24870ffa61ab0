import { EmptyError, Subscription, type Observable } from 'rxjs';

/**
 * The first value of any of `sources` (or the first error), as a promise; rejects with `onTimeout()` if none
 * came within `ms`. Sources are subscribed in order and the later ones not at all once one has settled it (a
 * replay can), so an earlier source wins a tie. What `firstValueFrom(merge(...sources).pipe(take(1),
 * timeout({ first: ms, with })))` does, without the operator layers a hit passes through and the scheduler
 * action of `timeout`, which a hit otherwise passes through on its way to resolving the wait.
 */
export function settleFirst<T>(sources: readonly Observable<T>[], ms: number, onTimeout: () => Error): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const subscriptions = new Subscription();
    let settled = false;
    let completed = 0;
    const settle = (): boolean => {
      if (settled) return false;
      settled = true;
      subscriptions.unsubscribe();
      return true;
    };
    const observer = {
      next: (value: T) => {
        if (settle()) resolve(value);
      },
      error: (err: unknown) => {
        if (settle()) reject(err);
      },
      complete: () => {
        if (++completed === sources.length && settle()) reject(new EmptyError());
      },
    };
    for (const source of sources) {
      // Added after a synchronous settle, a subscription is unsubscribed at once.
      subscriptions.add(source.subscribe(observer));
      if (settled) return;
    }
    const timer = setTimeout(() => {
      if (settle()) reject(onTimeout());
    }, ms);
    subscriptions.add(() => clearTimeout(timer));
  });
}
