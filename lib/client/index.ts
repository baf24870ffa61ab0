// faultline/client: what a test process imports to watch injection points. It loads no server, shard or
// injector code: only the event codec and the error base are shared with the rest of the package.
export { openInjectionStream, type OpenInjectionStreamOptions } from './open-injection-stream';
export { InjectionStream, type ShardDownNotice, type WaitOptions } from './injection-stream';
export {
  InjectionApi,
  type EnableInjectionOptions,
  type InjectionApiOptions,
  type InjectionShardInfo,
} from './injection-api';
export { allOf, firstHit, firstHits, hits, ofType, onNode, onShard, since, type HitMatcher } from './operators';
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
  StreamClosedError,
  WaitTimeoutError,
  type WaitTimeoutDetails,
} from './errors';
export type { ReconnectPolicy } from './backoff';
export type { NamedNode, NodeAddress } from './node-url';
export type {
  GapNotice,
  GapReason,
  InjectionMark,
  NodeStatus,
  ReceivedHandlerEvent,
  ReceivedInjectionEvent,
  StreamStatus,
} from './types';
export { FaultlineError } from '../errors';
export { decodeEvent, type HandlerEvent, type InjectionEvent, type InjectionType } from '../event';
