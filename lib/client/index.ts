// faultline/client: what a test process imports to watch injection points. It loads no server, shard or
// injector code: only the ground floor (event codec, enable options, wire constants, error base) is shared
// with the rest of the package. Only what a user calls, catches or names in a type is exported (docs/api.md).
export { openInjectionStream, type OpenInjectionStreamOptions } from './open-injection-stream';
// Made by openInjectionStream only: a type to name, not a class to construct.
export type { InjectionStream, ShardDownNotice, WaitOptions } from './injection-stream';
export type { ControlNotice, ControlOp, ReceivedControlNotice } from './types';
export {
  InjectionApi,
  type EnableInjectionOptions,
  type InjectionApiOptions,
  type ScopeOption,
  type InjectionShardInfo,
} from './injection-api';
export {
  afterPosition,
  allOf,
  firstHit,
  firstHits,
  hits,
  ofType,
  onNode,
  onScope,
  onShard,
  since,
  type HitMatcher,
} from './operators';
export {
  ClientArgumentError,
  ContentTypeError,
  EventGapError,
  HttpError,
  MissingHitError,
  NetworkError,
  NodeLostError,
  ProtocolError,
  ResponseShapeError,
  ShardDownError,
  InjectionEndedError,
  StreamClosedError,
  WaitTimeoutError,
  type WaitTimeoutDetails,
} from './errors';
export type { ReconnectPolicy } from './backoff';
export type { NamedNode, NodeAddress } from './node-url';
export type * from './types';
export { FaultlineError } from '../errors';
export type { HandlerEvent, InjectionEvent, InjectionType, ParkedHandlers } from '../event';
