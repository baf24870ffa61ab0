// faultline: the injector side, what application code imports to place injection points.
export * from './injector';
export { FaultlineError } from './errors';
export { attachShard } from './shards/attach-shard';
export type { AttachShardOptions } from './shards/attach-shard';
export { ShardAttachError } from './shards/errors';
export {
  INJECTION_TYPES,
  EVENT_PARAMS_MAX_BYTES,
  EventDecodeError,
  boundEventParams,
  decodeEvent,
  encodeEvent,
  isInjectionType,
} from './event';
export type { HandlerEvent, HandlerPhase, InjectionEvent, InjectionParameters, InjectionType } from './event';
