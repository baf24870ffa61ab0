import { ErrorInjector } from './error-injector';
import { enableFromSpec } from './injection-spec';

export { ErrorInjector } from './error-injector';
export type { EnableOptions, ErrorInjectorOptions, HandlerOptions, InjectionLogger, InjectionState } from './error-injector';
export { InjectionHandler } from './handler';
export type { WaitForMessageOptions } from './handler';
export {
  HandlerAbortedError,
  HandlerTimeoutError,
  InjectedError,
  InjectionParameterError,
  InjectionSpecError,
  InjectionsOffError,
  InvalidInjectionError,
} from './errors';
export { MAX_NAME_LENGTH } from './validate';

/**
 * This thread's injector: shard 0 on the main thread, the worker's own shard once it calls `attachShard()`.
 * What `FAULTLINE_INJECTIONS` names is enabled as it is created, before any of the app's code runs; a bad
 * value throws here, so the process (or worker) stops at its first `require('faultline')`.
 */
export const injector = new ErrorInjector();
const startup = process.env.FAULTLINE_INJECTIONS;
if (startup !== undefined && startup.trim() !== '') enableFromSpec(injector, startup, 'FAULTLINE_INJECTIONS');
