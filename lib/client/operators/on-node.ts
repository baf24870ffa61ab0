import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { InjectionEvent } from '../../event';
import { trimSlash } from '../node-url';
import { toSet } from './match';

/** Only the events of one node of a cluster stream (its name, or its URL as given), or of several. */
export function onNode<T extends InjectionEvent>(nodes: string | readonly string[]): MonoTypeOperatorFunction<T> {
  const wanted = new Set([...toSet(nodes, 'onNode', (n) => typeof n === 'string' && n !== '')].map(trimSlash));
  return filter((event) => event.node !== undefined && wanted.has(event.node));
}
