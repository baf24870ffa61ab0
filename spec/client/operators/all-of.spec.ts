import { timeout, TimeoutError } from 'rxjs';
import { ClientArgumentError, MissingHitError } from '../../../lib/client/errors';
import { allOf } from '../../../lib/client/operators/all-of';
import { hit, marbles } from '../../helpers/marbles';

describe('allOf', () => {
  const v = { a: hit('a'), b: hit('b'), c: hit('c'), A: hit('a', { shard: 1 }) };

  it('emits the first hit of each name, in the order of the names, once all came (in any order)', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-b-A-c-a-a-|', v);
      expectObservable(source.pipe(allOf(['a', 'b']))).toBe('---(x|)', { x: [v.A, v.b] });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('counts a repeated name once', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-a-a-b-|', v).pipe(allOf(['a', 'b']))).toBe('-------(x|)', { x: [v.a, v.b] });
    });
  });

  it('errors with MissingHitError naming the missing ones when the source completes first', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-|', v).pipe(allOf(['a', 'b', 'c']))).toBe(
        '---#',
        undefined,
        new MissingHitError('"b", "c" were hit'),
      );
    });
  });

  it('composes with timeout', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a----b|', v).pipe(allOf(['a', 'b']), timeout(4))).toBe(
        '----#',
        undefined,
        new TimeoutError(),
      );
    });
  });

  it('passes errors and early unsubscription through', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      expectObservable(cold('-a-#', v).pipe(allOf(['a', 'b']))).toBe('---#');
      const source = cold('-a---b-|', v);
      expectObservable(source.pipe(allOf(['a', 'b'])), '--!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('refuses no names', () => {
    expect(() => allOf([])).toThrow(ClientArgumentError);
  });
});
