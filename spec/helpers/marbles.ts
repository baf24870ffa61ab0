import { TestScheduler } from 'rxjs/testing';
import type { InjectionType } from '../../lib/event';
import type { ReceivedInjectionEvent } from '../../lib/client/types';

// Shared by the client operator specs: a TestScheduler that compares with jest, and a maker of events.

export function marbles(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

let nextSeq = 0;

export function hit(
  injection: string,
  fields: { shard?: number; type?: InjectionType; node?: string; seq?: number; scope?: string } = {},
): ReceivedInjectionEvent {
  const event = {
    injection,
    type: fields.type ?? 'sleep',
    shard: fields.shard ?? 0,
    node: fields.node ?? 'n1',
    seq: fields.seq ?? ++nextSeq,
  };
  return fields.scope === undefined ? event : { ...event, scope: fields.scope };
}
