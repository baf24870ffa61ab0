import {
  boundEventParams,
  encodeEvent,
  formatSseMessage,
  hitFrame,
  type HandlerEvent,
  type HitParts,
  type InjectionEvent,
  type InjectionParameters,
  type InjectionType,
} from '../event';
import { formatWireId } from '../wire';
import type { ControlNotice, GroupControl, GroupGap, GroupHandlerEvent, GroupHit, GroupShardDown } from './types';

/**
 * A hit with its global seq. Its id, event and SSE frame are built on first read and cached: every reader (SSE
 * connection) writes the same string, so a hit is serialised once however many watch it, and never if none does.
 * `frame` bounds the parameters (boundEventParams); `fullFrame` is the same string unless that cut something.
 */
export class Hit implements GroupHit, HitParts {
  readonly kind = 'hit';
  private cachedId: string | undefined;
  private cachedEvent: InjectionEvent | undefined;
  private cachedFrame: string | undefined;
  private cachedFullFrame: string | undefined;

  constructor(
    private readonly epoch: string,
    readonly seq: number,
    readonly injection: string,
    readonly type: InjectionType,
    readonly shard: number,
    readonly ts: number,
    readonly params: InjectionParameters | undefined,
    readonly scope: string | undefined,
  ) {}

  get id(): string {
    return (this.cachedId ??= formatWireId(this.epoch, this.seq));
  }

  /**
   * Built as one literal with its id (one hidden class for every unscoped hit, whichever shard it came from); a
   * scoped hit's has its `scope` last, an unscoped one's no `scope` field at all.
   */
  get event(): InjectionEvent {
    if (this.cachedEvent === undefined) {
      const { injection, type, shard, ts, params, id, scope } = this;
      this.cachedEvent =
        scope === undefined ? { injection, type, shard, ts, params, id } : { injection, type, shard, ts, params, id, scope };
    }
    return this.cachedEvent;
  }

  get frame(): string {
    if (this.cachedFrame === undefined) {
      // The common case (frozen parameters that fit) straight from the parts: no event object, no id string.
      const frame = hitFrame(this.epoch, this.seq, this);
      if (frame !== undefined) return (this.cachedFrame = this.cachedFullFrame = frame);
      const event = this.event;
      const bounded = boundEventParams(event);
      this.cachedFrame = formatSseMessage(encodeEvent(bounded), this.id);
      if (bounded === event) this.cachedFullFrame = this.cachedFrame;
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
