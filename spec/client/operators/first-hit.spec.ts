import { forkJoin, race, take, timeout, TimeoutError } from 'rxjs';
import { ClientArgumentError, MissingHitError } from '../../../lib/client/errors';
import { firstHit } from '../../../lib/client/operators/first-hit';
import { hit, marbles } from '../../helpers/marbles';

describe('firstHit', () => {
  const v = { a: hit('a'), b: hit('b', { shard: 1 }), c: hit('c') };

  it('emits the first hit of the name and completes, unsubscribing from the source', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-b-c-|', v);
      expectObservable(source.pipe(firstHit('b'))).toBe('---(b|)', v);
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('takes a predicate over the event', () => {
    marbles().run(({ cold, expectObservable }) => {
      const source = cold('-a-b-c-|', v);
      expectObservable(source.pipe(firstHit((e) => e.shard === 1))).toBe('---(b|)', v);
    });
  });

  it('errors with MissingHitError naming the injection when the source completes first', () => {
    marbles().run(({ cold, expectObservable }) => {
      const source = cold('-a-c-|', v);
      expectObservable(source.pipe(firstHit('b'))).toBe('-----#', undefined, new MissingHitError('"b" was hit'));
    });
  });

  it('passes a source error through, and never emits on a source that never does', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', v).pipe(firstHit('b'))).toBe('---#');
      expectObservable(cold('-', v).pipe(firstHit('b'))).toBe('-');
      expectObservable(cold('|', v).pipe(firstHit('b'))).toBe('#', undefined, new MissingHitError('"b" was hit'));
    });
  });

  it('stops listening when unsubscribed early', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-a-a-b-|', v);
      expectObservable(source.pipe(firstHit('b')), '---!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('composes with timeout: a hit in time wins, a late one is a TimeoutError', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('--b|', v).pipe(firstHit('b'), timeout(5))).toBe('--(b|)', v);
      expectObservable(cold('------b|', v).pipe(firstHit('b'), timeout(5))).toBe(
        '-----#',
        undefined,
        new TimeoutError(),
      );
    });
  });

  it('composes with forkJoin (both, in any order) and race (the first of several)', () => {
    marbles().run(({ hot, expectObservable }) => {
      const source = hot('-c-b--a-|', v);
      expectObservable(forkJoin([source.pipe(firstHit('a')), source.pipe(firstHit('b'))])).toBe('------(x|)', {
        x: [v.a, v.b],
      });
      expectObservable(race(source.pipe(firstHit('a')), source.pipe(firstHit('b')))).toBe('---(b|)', v);
      expectObservable(source.pipe(firstHit('c'), take(1))).toBe('-(c|)', v);
    });
  });

  it('refuses an empty name', () => {
    expect(() => firstHit('')).toThrow(ClientArgumentError);
  });
});
