import { take } from 'rxjs';
import { ClientArgumentError } from '../../../lib/client/errors';
import { hits } from '../../../lib/client/operators/hits';
import { hit, marbles } from '../../helpers/marbles';

describe('hits', () => {
  const v = { a: hit('a'), b: hit('b'), c: hit('c'), d: hit('b') };

  it('passes every hit of the name, and completes with the source', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-d-|', v).pipe(hits('b'))).toBe('---b---d-|', v);
    });
  });

  it('takes several names', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-|', v).pipe(hits(['a', 'c']))).toBe('-a---c-|', v);
    });
  });

  it('counts with take, unsubscribing from the source at the Nth hit', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-b-a-d-b-|', v);
      expectObservable(source.pipe(hits('b'), take(2))).toBe('-b---(d|)', v);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes errors, and stays silent on a never-ending source without hits', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', v).pipe(hits('b'))).toBe('---#');
      expectObservable(cold('-a-c-', v).pipe(hits('b'))).toBe('-----');
    });
  });

  it('refuses no names or a non-string', () => {
    expect(() => hits([])).toThrow(ClientArgumentError);
    expect(() => hits([3 as unknown as string])).toThrow(/3 is not valid/);
  });
});
