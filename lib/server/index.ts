// faultline/server: the HTTP face of a ShardGroup, and the group itself.
export * from '../shards';
// server work: REST routes, the event stream, createInjectionServer, injectionHandler.
export { createInjectionServer } from './create-server';
export type { InjectionServer, InjectionServerOptions } from './create-server';
export { injectionHandler } from './handler';
export { DASHBOARD_PATH, dashboardHandler } from './dashboard';
export type { InjectionRequestHandler, InjectionServerStats } from './handler';
export type { InjectionHandlerOptions, NextFunction, RequestHandlerWithNext } from './options';
export type { AllowedHosts } from './host-check';
export { InvalidServerOptionError, OpenServerRefusedError } from './errors';
export type { ErrorBody } from './responses';
export type { ScyllaInjectionInfo } from './scylla-state';
