import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import { ClientArgumentError } from '../errors';
import type { InjectionMark } from '../types';

/**
 * Only the events received after a mark from `stream.mark()`, like `log.wait_for(..., from_mark=mark)`: the
 * replay of what came before is skipped, what comes after passes.
 */
export function since<T extends { readonly seq: number }>(mark: InjectionMark): MonoTypeOperatorFunction<T> {
  const after = markSeq(mark, 'since');
  return filter((event) => event.seq > after);
}

/** The `seq` of a mark, checked. */
export function markSeq(mark: InjectionMark, what: string): number {
  if (typeof mark !== 'object' || mark === null || !Number.isInteger(mark.seq) || mark.seq < 0) {
    throw new ClientArgumentError(`${what}: a mark from stream.mark() is required, not ${JSON.stringify(mark)}`);
  }
  return mark.seq;
}
