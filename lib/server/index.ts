// faultline/server: the HTTP face of a ShardGroup, and the group itself. Only what a user calls, catches or
// names in a type is exported (docs/api.md lists each, with why); the server's refusals reach users as JSON
// answers, so their classes stay inside.
export { ShardGroup, ShardApplyError, ShardAttachError, ShardGroupClosedError, ShardGroupOptionError } from '../shards';
export type * from '../shards';
export { createInjectionServer } from './create-server';
export type { InjectionServer, InjectionServerOptions } from './create-server';
export { injectionMiddleware } from './middleware';
export type { InjectionMiddleware, InjectionServerStats } from './middleware';
export { DASHBOARD_PATH, dashboardHandler } from './dashboard';
export type { InjectionMiddlewareOptions, NextFunction, RequestHandlerWithNext } from './options';
export type { SocketLimits } from './socket-guard';
export type { AllowedHosts } from './host-check';
export { InvalidServerOptionError, OpenServerRefusedError } from './errors';
export type { ErrorBody } from './responses';
export type { ScyllaInjectionInfo } from './scylla-state';
