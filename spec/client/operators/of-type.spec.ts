import { ClientArgumentError } from '../../../lib/client/errors';
import { ofType } from '../../../lib/client/operators/of-type';
import type { InjectionType } from '../../../lib/event';
import { hit, marbles } from '../../helpers/marbles';

describe('ofType', () => {
  const v = { s: hit('x', { type: 'sleep' }), h: hit('x', { type: 'handler' }), e: hit('x', { type: 'exception' }) };

  it('keeps one type', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-h-e-|', v).pipe(ofType('handler'))).toBe('---h---|', v);
    });
  });

  it('keeps several types', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-h-e-|', v).pipe(ofType(['sleep', 'exception']))).toBe('-s---e-|', v);
    });
  });

  it('passes errors through', () => {
    marbles().run(({ cold, expectObservable }) => {
      expectObservable(cold('-s-#', v).pipe(ofType('handler'))).toBe('---#');
    });
  });

  it('refuses an unknown type', () => {
    expect(() => ofType('crash' as InjectionType)).toThrow(ClientArgumentError);
  });
});
