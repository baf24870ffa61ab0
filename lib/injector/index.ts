import { ErrorInjector } from './error-injector';
import { enableFromSpec } from './injection-spec';

// The injector room's public face, which the package root re-exports (docs/api.md says why each is there).
export { ErrorInjector } from './error-injector';
export type { EnableOptions, ErrorInjectorOptions, HandlerOptions, InjectionLogger, InjectionState, ScopeOption } from './error-injector';
export { currentInjectionScope, InvalidScopeError, runInInjectionScope } from './scope';
// The object a handler point's function receives (ScyllaDB's injection_handler); users never construct it.
export type { InjectionHandler, WaitForMessageOptions } from './handler';
export {
  HandlerAbortedError,
  HandlerTimeoutError,
  InjectedError,
  InjectionParameterError,
  InjectionSpecError,
  InjectionsOffError,
  InvalidInjectionError,
} from './errors';

/**
 * This thread's injector: shard 0 on the main thread, the worker's own shard once it calls `attachShard()`.
 * What `FAULTLINE_INJECTIONS` names is enabled as it is created, before any of the app's code runs; a bad
 * value throws here, so the process (or worker) stops at its first `require('faultline')`.
 */
export const injector = new ErrorInjector();
const startup = process.env.FAULTLINE_INJECTIONS;
if (startup !== undefined && startup.trim() !== '') enableFromSpec(injector, startup, 'FAULTLINE_INJECTIONS');
