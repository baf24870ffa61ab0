// faultline/server: the HTTP face of a ShardGroup (filled in by the shards and server work).
export { ShardGroup, ShardApplyError, ShardAttachError, ShardGroupClosedError } from '../shards';
export type {
  AddWorkerOptions,
  BroadcastResult,
  EventsOptions,
  GroupGap,
  GroupHandlerEvent,
  GroupHit,
  GroupItem,
  GroupShardDown,
  ShardGroupOptions,
  ShardInfo,
} from '../shards';
// server work: REST routes, the event stream, createInjectionServer, injectionHandler.
export { createInjectionServer } from './create-server';
export type { InjectionServer, InjectionServerOptions } from './create-server';
export { injectionHandler } from './handler';
export { DASHBOARD_PATH, dashboardHandler } from './dashboard';
export type { InjectionRequestHandler, InjectionServerStats } from './handler';
export type { InjectionHandlerOptions, NextFunction, RequestHandlerWithNext } from './options';
export {
  BadRequestError,
  BodyTooLargeError,
  ConflictError,
  ForbiddenOriginError,
  HttpError,
  InvalidServerOptionError,
  MAX_BODY_BYTES,
  MethodNotAllowedError,
  NotFoundError,
  ServiceUnavailableError,
  UnauthorizedError,
} from './errors';
export type { ErrorBody } from './responses';
export type { ScyllaInjectionInfo } from './scylla-state';
