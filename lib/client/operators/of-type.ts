import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import { isInjectionType, type InjectionEvent, type InjectionType } from '../../event';
import { toSet } from './match';

/** Only the events of one kind of point (`sleep`, `handler`, `exception`, `lambda`), or of several. */
export function ofType<T extends InjectionEvent>(
  types: InjectionType | readonly InjectionType[],
): MonoTypeOperatorFunction<T> {
  const wanted = toSet(types, 'ofType', isInjectionType);
  return filter((event) => wanted.has(event.type));
}
