import { ClientArgumentError, MissingHitError } from '../../../lib/client/errors';
import { firstHits } from '../../../lib/client/operators/first-hits';
import { hit, marbles } from '../../helpers/marbles';

describe('firstHits', () => {
  const v = { a: hit('a'), b: hit('b'), c: hit('a', { shard: 1 }), d: hit('a', { shard: 2 }) };

  it('emits the first N hits together at the Nth, then completes and unsubscribes', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-d-a-|', v);
      expectObservable(source.pipe(firstHits('a', 3))).toBe('-------(x|)', { x: [v.a, v.c, v.d] });
      expectSubscriptions(source.subscriptions).toBe('^------!');
    });
  });

  it('takes a predicate', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-c-d-|', v).pipe(firstHits((e) => e.shard > 0, 2))).toBe('-----(x|)', {
        x: [v.c, v.d],
      });
    });
  });

  it('errors with MissingHitError saying how many came when the source completes first', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-|', v).pipe(firstHits('a', 2))).toBe(
        '-----#',
        undefined,
        new MissingHitError('"a" was hit 2 times (it was hit 1)'),
      );
    });
  });

  it('passes errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', v).pipe(firstHits('a', 2))).toBe('---#');
    });
  });

  it('refuses a count below 1', () => {
    expect(() => firstHits('a', 0)).toThrow(ClientArgumentError);
  });
});
