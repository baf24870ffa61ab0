import { ClientArgumentError } from '../../../lib/client/errors';
import { firstHit } from '../../../lib/client/operators/first-hit';
import { since } from '../../../lib/client/operators/since';
import type { InjectionMark } from '../../../lib/client/types';
import { hit, marbles } from '../../helpers/marbles';

describe('since', () => {
  const v = { a: hit('x', { seq: 1 }), b: hit('x', { seq: 2 }), c: hit('x', { seq: 3 }), d: hit('y', { seq: 4 }) };

  it('skips what came up to the mark, passes what came after', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('(ab)-c-d-|', v).pipe(since({ seq: 2 }))).toBe('-----c-d-|', v);
    });
  });

  it('from the start (seq 0) passes everything', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a-b-|', v).pipe(since({ seq: 0 }))).toBe('-a-b-|', v);
    });
  });

  it('composes with firstHit: the replayed hit before the mark does not count', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('(a)--c-|', v).pipe(since({ seq: 1 }), firstHit('x'))).toBe('-----(c|)', v);
    });
  });

  it('refuses something that is not a mark', () => {
    expect(() => since({ seq: -1 })).toThrow(ClientArgumentError);
    expect(() => since(undefined as unknown as InjectionMark)).toThrow(/mark from stream.mark/);
  });
});
