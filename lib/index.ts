// faultline: the injector side, what application code imports to place injection points. Only what a user
// calls, catches or names in a type is exported (docs/api.md lists each, with why).
export { injector } from './injector';
export { ErrorInjector } from './injector/error-injector';
export type { EnableOptions, ErrorInjectorOptions, HandlerOptions, InjectionLogger, InjectionState } from './injector/error-injector';
// The object a handler point's function receives (ScyllaDB's injection_handler); users never construct it.
export type { InjectionHandler, WaitForMessageOptions } from './injector/handler';
export {
  HandlerAbortedError,
  HandlerTimeoutError,
  InjectedError,
  InjectionParameterError,
  InjectionSpecError,
  InjectionsOffError,
  InvalidInjectionError,
} from './injector/errors';
export { FaultlineError } from './errors';
export { attachShard } from './shards/attach-shard';
export type { AttachShardOptions } from './shards/attach-shard';
export { ShardAttachError } from './shards/errors';
export type { HandlerEvent, HandlerPhase, InjectionEvent, InjectionParameters, InjectionType } from './event';
