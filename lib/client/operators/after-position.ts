import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import { parseWireId } from '../../wire';
import { ClientArgumentError } from '../errors';
import type { StreamPositions } from '../types';

/**
 * Only the hits a server numbered after a position it gave (`faultline-position`, what
 * `InjectionApi.enable` resolves to): of the same epoch and a larger seq, compared as numbers. A hit of
 * another epoch never passes: the server restarted on one side of the position, and a restart ends every
 * enablement. A hit without an id (a server that numbers none, and so gives no position) passes.
 *
 * `positions` is one position (for the events of a one-node stream) or one per node name; events of a node
 * without a position pass.
 *
 * @example
 * const { position } = await api.enable('x');
 * await firstValueFrom(stream.injection$.pipe(afterPosition(position), firstHit('x')));
 */
export function afterPosition<T extends { readonly id?: string; readonly node?: string }>(
  positions: StreamPositions,
): MonoTypeOperatorFunction<T> {
  const after = toPositionCheck(positions, 'afterPosition');
  return filter((event: T) => after(event));
}

/** The test behind afterPosition, for code that filters by hand; `what` names the caller in its errors. */
export function toPositionCheck(
  positions: StreamPositions,
  what: string,
): (event: { readonly id?: string; readonly node?: string }) => boolean {
  if (typeof positions === 'string') {
    const at = parsePosition(positions, what);
    return (event) => isAfter(event.id, at);
  }
  if (typeof positions !== 'object' || positions === null) {
    throw new ClientArgumentError(`${what}: a position or a record of positions by node is required, not ${String(positions)}`);
  }
  const byNode = new Map<string, { epoch: string; seq: number }>();
  for (const [node, position] of Object.entries(positions)) {
    if (position !== undefined) byNode.set(node, parsePosition(position, `${what} (node ${node})`));
  }
  return (event) => {
    const at = event.node === undefined ? undefined : byNode.get(event.node);
    return at === undefined || isAfter(event.id, at);
  };
}

function parsePosition(position: string, what: string): { epoch: string; seq: number } {
  const parsed = typeof position === 'string' ? parseWireId(position) : undefined;
  if (parsed === undefined) {
    throw new ClientArgumentError(
      `${what}: ${JSON.stringify(position)} is not a stream position (\`<epoch>-<seq>\`, as an enable answers)`,
    );
  }
  return parsed;
}

function isAfter(id: string | undefined, at: { readonly epoch: string; readonly seq: number }): boolean {
  if (id === undefined) return true;
  const parsed = parseWireId(id);
  return parsed !== undefined && parsed.epoch === at.epoch && parsed.seq > at.seq;
}
