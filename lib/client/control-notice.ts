import { noticeScope } from '../event';
import type { ControlNotice, ControlOp, ReceivedControlNotice } from './types';

const OPS: ReadonlySet<string> = new Set<ControlOp>(['enabled', 'disabled', 'disabled-all', 'messaged', 'exhausted']);

/** The data of an `event: control`, checked; undefined when it is not one. */
export function parseControlNotice(data: string): ControlNotice | undefined {
  let o: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(data);
    if (typeof parsed !== 'object' || parsed === null) return undefined;
    o = parsed as Record<string, unknown>;
  } catch {
    return undefined;
  }
  if (typeof o.op !== 'string' || !OPS.has(o.op)) return undefined;
  if (o.injection !== null && typeof o.injection !== 'string') return undefined;
  if (o.injection === null && o.op !== 'disabled-all') return undefined;
  if (o.shard !== null && !(typeof o.shard === 'number' && Number.isInteger(o.shard) && o.shard >= 0)) return undefined;
  if (typeof o.ts !== 'number') return undefined;
  if (o.scope !== undefined && typeof o.scope !== 'string') return undefined;
  const notice: ControlNotice = { op: o.op as ControlOp, injection: o.injection, shard: o.shard, ts: o.ts };
  if (typeof o.options === 'object' && o.options !== null) Object.assign(notice, { options: o.options as Record<string, unknown> });
  if (o.scope !== undefined) Object.assign(notice, { scope: o.scope });
  return notice;
}

/** The notice ends `name` (it can no longer be hit until enabled again). */
export function endsInjection(notice: ControlNotice, name: string): boolean {
  if (notice.op === 'disabled-all') return true;
  return notice.injection === name && (notice.op === 'disabled' || notice.op === 'exhausted');
}


/** A received notice and its number among the stream's notices (1 for the first). */
export interface NumberedNotice {
  readonly index: number;
  readonly notice: ReceivedControlNotice;
}

/** Why a wait for `name` on `nodes` can no longer be met, or undefined while it still can. */
export interface Ending {
  readonly node: string;
  readonly reason: 'disabled' | 'exhausted';
  readonly ts: number;
}

/**
 * The wait cannot be met when, on every node it watches, the latest notice about `name` ends it and came after
 * the wait's start (`fromIndex`: the notices it had then). A node that never sent one (a ScyllaDB node) never
 * ends a wait. `notices` are oldest first. A wait of one `scope` heeds notices of that scope and those of every
 * enablement of the name (a disable without a scope); a wait without one, those of no scope.
 */
export function endingOf(
  notices: readonly NumberedNotice[],
  name: string,
  nodes: readonly string[],
  fromIndex: number,
  scope?: string,
): Ending | undefined {
  let ending: Ending | undefined;
  for (const node of nodes) {
    let latest: NumberedNotice | undefined;
    for (let i = notices.length - 1; i >= 0 && latest === undefined; i--) {
      const n = notices[i];
      if (n.notice.node === node && concerns(n.notice, name, scope)) latest = n;
    }
    if (latest === undefined || latest.index <= fromIndex || !endsInjection(latest.notice, name)) return undefined;
    ending ??= { node, reason: latest.notice.op === 'exhausted' ? 'exhausted' : 'disabled', ts: latest.notice.ts };
  }
  return ending;
}

function concerns(notice: ControlNotice, name: string, scope: string | undefined): boolean {
  if (notice.op === 'messaged') return false;
  if (notice.op === 'disabled-all') return true;
  if (notice.injection !== name) return false;
  const about = noticeScope(notice);
  // An exhaustion is of one enablement: without a scope, the unscoped one's, never every scope's (a disable
  // without a scope is of every enablement of the name).
  if (notice.op === 'exhausted') return about === scope;
  return about === undefined || about === scope;
}
