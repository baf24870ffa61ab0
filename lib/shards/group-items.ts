import { boundEventParams, encodeEvent, formatSseMessage, type HandlerEvent, type InjectionEvent } from '../event';
import type { ControlNotice, GroupControl, GroupGap, GroupHandlerEvent, GroupHit, GroupShardDown } from './types';

/**
 * A hit with its global id. Its SSE frame is built on first read and cached: every reader (SSE connection)
 * writes the same string, so a hit is serialised once however many watch it, and never if none does.
 * `frame` bounds the parameters (boundEventParams); `fullFrame` is the same string unless that cut something.
 */
export class Hit implements GroupHit {
  readonly kind = 'hit';
  private cachedFrame: string | undefined;
  private cachedFullFrame: string | undefined;

  constructor(
    readonly seq: number,
    readonly id: string,
    readonly event: InjectionEvent,
  ) {}

  get frame(): string {
    if (this.cachedFrame === undefined) {
      const bounded = boundEventParams(this.event);
      this.cachedFrame = formatSseMessage(encodeEvent(bounded), this.id);
      if (bounded === this.event) this.cachedFullFrame = this.cachedFrame;
    }
    return this.cachedFrame;
  }

  get fullFrame(): string {
    return (this.cachedFullFrame ??= boundEventParams(this.event) === this.event ? this.frame : formatSseMessage(encodeEvent(this.event), this.id));
  }
}

export function gapItem(reason: GroupGap['reason'], lastEventId: string, oldestId: string | null): GroupGap {
  const frame = formatSseMessage(JSON.stringify({ reason, lastEventId, oldestId }), undefined, 'gap');
  return { kind: 'gap', reason, lastEventId, oldestId, frame };
}

export function handlerItem(event: HandlerEvent): GroupHandlerEvent {
  const { injection, phase, shard, ts, scope } = event;
  const frame = formatSseMessage(JSON.stringify({ injection, phase, shard, ts, scope }), undefined, 'handler');
  return { kind: 'handler', event, frame };
}

export function shardDownItem(shard: number): GroupShardDown {
  return { kind: 'shard-down', shard, frame: formatSseMessage(JSON.stringify({ shard }), undefined, 'shard-down') };
}


export function controlItem(notice: ControlNotice): GroupControl {
  return { kind: 'control', notice, frame: formatSseMessage(JSON.stringify(notice), undefined, 'control') };
}
