import { ErrorInjector } from './error-injector';

export { ErrorInjector } from './error-injector';
export type { EnableOptions, ErrorInjectorOptions, HandlerOptions, InjectionLogger, InjectionState } from './error-injector';
export { InjectionHandler } from './handler';
export type { WaitForMessageOptions } from './handler';
export {
  HandlerAbortedError,
  HandlerTimeoutError,
  InjectedError,
  InjectionParameterError,
  InjectionsOffError,
  InvalidInjectionError,
} from './errors';
export { MAX_NAME_LENGTH } from './validate';

/** This thread's injector: shard 0 on the main thread, the worker's own shard once it calls `attachShard()`. */
export const injector = new ErrorInjector();
