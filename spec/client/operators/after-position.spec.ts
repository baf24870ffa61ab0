import { ClientArgumentError } from '../../../lib/client/errors';
import { afterPosition } from '../../../lib/client/operators/after-position';
import { hit, marbles } from '../../helpers/marbles';

describe('afterPosition', () => {
  const v = {
    a: { ...hit('x', { seq: 1 }), id: 'e-9' },
    b: { ...hit('x', { seq: 2 }), id: 'e-10' },
    c: { ...hit('x', { seq: 3 }), id: 'other-11' },
    d: hit('x', { seq: 4 }),
    e: { ...hit('x', { seq: 5, node: 'n2' }), id: 'e-11' },
    f: { ...hit('x', { seq: 6, node: 'n2' }), id: 'f-1' },
  };

  it('passes only ids of the same epoch with a larger seq, compared as numbers (e-10 is after e-9)', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('abc|', v).pipe(afterPosition('e-9'))).toBe('-b-|', v);
    });
  });

  it('`<epoch>-0` (armed before any hit) passes every hit of that epoch and none of another', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('abc|', v).pipe(afterPosition('e-0'))).toBe('ab-|', v);
    });
  });

  it('passes a hit without an id (a server that numbers none gives no position either)', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ad|', v).pipe(afterPosition('e-9'))).toBe('-d|', v);
    });
  });

  it('by node: each node against its own position; a node without one passes', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('ef|', v).pipe(afterPosition({ n2: 'f-0' }))).toBe('-f|', v);
      expectObservable(cold('ef|', v).pipe(afterPosition({ other: 'f-0' }))).toBe('ef|', v);
    });
  });

  it.each(['', 'e', 'e-x', 'e-1.5', 'e-01'])('refuses %j as a position, naming it', (position) => {
    expect(() => afterPosition(position)).toThrow(ClientArgumentError);
    expect(() => afterPosition({ n1: position })).toThrow(/node n1.*is not a stream position/);
  });
});
