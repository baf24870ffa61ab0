import { ClientArgumentError } from '../../../lib/client/errors';
import { firstHit } from '../../../lib/client/operators/first-hit';
import { onScope } from '../../../lib/client/operators/on-scope';
import { hit, marbles } from '../../helpers/marbles';

describe('onScope', () => {
  const v = { a: hit('x', { scope: 't1' }), b: hit('x', { scope: 't2' }), u: hit('x') };

  it('keeps the hits of one scope; an unscoped hit never passes', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-u-b-a-|', v).pipe(onScope('t1'))).toBe('-a-----a-|', v);
    });
  });

  it('keeps several scopes', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-u-b-|', v).pipe(onScope(['t1', 't2']))).toBe('-a---b-|', v);
    });
  });

  it('composes with firstHit: the first hit of scope t2, though t1 was hit first, and unsubscribes', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-u-b-a-|', v);
      expectObservable(source.pipe(onScope('t2'), firstHit('x'))).toBe('-----(b|)', v);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', v).pipe(onScope('t1'))).toBe('-a-#', v);
    });
  });

  it('refuses a scope that is not one: empty, with a space, not a string, or none at all', () => {
    expect(() => onScope('')).toThrow(new ClientArgumentError('onScope: "" is not valid'));
    expect(() => onScope('a b')).toThrow(new ClientArgumentError('onScope: "a b" is not valid'));
    expect(() => onScope(7 as unknown as string)).toThrow(new ClientArgumentError('onScope: 7 is not valid'));
    expect(() => onScope([])).toThrow(new ClientArgumentError('onScope: at least one value is required'));
  });
});
