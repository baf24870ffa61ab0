// faultline: the injector side, what application code imports to place injection points. Only what a user
// calls, catches or names in a type is exported (docs/api.md lists each, with why).
export * from './injector';
export { FaultlineError } from './errors';
export { attachShard } from './shards/attach-shard';
export { injectionScope } from './scope-middleware';
export type { FastifyLike, InjectionScopeMiddleware, InjectionScopeOptions, ScopeNext } from './scope-middleware';
export type { AttachShardOptions } from './shards/attach-shard';
export { ShardAttachError, ShardGroupOptionError } from './shards/errors';
export type { ExhaustedEvent, HandlerEvent, HandlerPhase, InjectionEvent, InjectionParameters, InjectionType } from './event';
