import { ClientArgumentError } from '../../../lib/client/errors';
import { onNode } from '../../../lib/client/operators/on-node';
import { hit, marbles } from '../../helpers/marbles';

describe('onNode', () => {
  const n1 = 'http://127.0.0.1:1000';
  const n2 = 'http://127.0.0.1:2000';
  const v = { a: hit('x', { node: n1 }), b: hit('x', { node: n2 }), c: hit('x', { node: 'n3' }) };

  it('keeps one node, by URL with or without a trailing slash', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-|', v).pipe(onNode(n2))).toBe('---b---|', v);
      expectObservable(cold('-a-b-c-|', v).pipe(onNode(n2 + '/'))).toBe('---b---|', v);
    });
  });

  it('keeps several nodes, by URL or by name', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-c-|', v).pipe(onNode([n1, 'n3']))).toBe('-a---c-|', v);
    });
  });

  it('drops events that carry no node', () => {
    marbles().run(({ cold, expectObservable }) => {
      const bare = { injection: 'x', type: 'sleep' as const, shard: 0 };
      expectObservable(cold('-z-|', { z: bare }).pipe(onNode(n1))).toBe('---|');
    });
  });

  it('refuses no nodes', () => {
    expect(() => onNode([])).toThrow(ClientArgumentError);
  });
});
