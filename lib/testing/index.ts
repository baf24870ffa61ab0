// faultline/testing: the runner-agnostic kit a test file sets up in three lines. It imports the client only,
// never the server, shards or injector (docs/api.md lists what it exports).
export { setupInjections, type InjectionKit, type SetupInjectionsOptions } from './setup-injections';
export type { ArmedInjection, ArmedWaitOptions } from './armed-injection';
export { InjectionKitClosedError, UnhitInjectionError, type UnhitInjection } from './errors';
export { WaitTimeoutError, EventGapError, NodeLostError, FaultlineError } from '../client';
export type { EnableInjectionOptions, ReceivedInjectionEvent } from '../client';
