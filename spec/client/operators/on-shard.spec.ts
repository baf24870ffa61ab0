import { ClientArgumentError } from '../../../lib/client/errors';
import { firstHit } from '../../../lib/client/operators/first-hit';
import { onShard } from '../../../lib/client/operators/on-shard';
import { hit, marbles } from '../../helpers/marbles';

describe('onShard', () => {
  const v = { a: hit('x', { shard: 0 }), b: hit('x', { shard: 1 }), c: hit('x', { shard: 2 }) };

  it('keeps one shard', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-|', v).pipe(onShard(1))).toBe('---b---|', v);
    });
  });

  it('keeps several shards', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-|', v).pipe(onShard([0, 2]))).toBe('-a---c-|', v);
    });
  });

  it('composes with firstHit: the first hit on shard 2, though shard 0 was hit first', () => {
    marbles().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-b-c-a-|', v);
      expectObservable(source.pipe(onShard(2), firstHit('x'))).toBe('-----(c|)', v);
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-#', v).pipe(onShard(0))).toBe('-a-#', v);
    });
  });

  it('refuses a shard that is not a non-negative integer', () => {
    expect(() => onShard(-1)).toThrow(ClientArgumentError);
    expect(() => onShard(1.5)).toThrow(ClientArgumentError);
    expect(() => onShard([])).toThrow(ClientArgumentError);
  });
});
