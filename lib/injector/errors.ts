import { FaultlineError } from '../errors';

/** What `injectError` throws by default: carries the name of the injection that threw it. */
export class InjectedError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_INJECTED' as const;

  constructor(readonly injection: string) {
    super(`injected error from injection "${injection}"`);
  }
}

/** A name, parameter or option that cannot be used; thrown by enable/disable/get/receiveMessage. */
export class InvalidInjectionError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_INVALID' as const;
}

/**
 * `enable` on an injector that is switched off: FAULTLINE=off in the environment (as in ScyllaDB's release
 * builds), or one created with `enabled: false`. Its points are no-ops; `reason` says which switch did it.
 */
export class InjectionsOffError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_OFF' as const;

  constructor(
    readonly injection: string,
    readonly reason: string,
  ) {
    super(`cannot enable injection "${injection}": error injection is switched off (${reason})`);
  }
}

/** A handler's `waitForMessage` that no message released in time. */
export class HandlerTimeoutError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_HANDLER_TIMEOUT' as const;

  constructor(
    readonly injection: string,
    readonly timeout: number,
  ) {
    super(`injection "${injection}": waitForMessage timed out after ${timeout} ms with no message`);
  }
}

/** A handler's `waitForMessage` ended by its AbortSignal. */
export class HandlerAbortedError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_HANDLER_ABORTED' as const;

  constructor(
    readonly injection: string,
    cause: unknown,
  ) {
    super(`injection "${injection}": waitForMessage was aborted`, { cause });
  }
}

/** A parameter that a typed getter cannot convert. */
export class InjectionParameterError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_PARAMETER' as const;

  constructor(
    readonly injection: string,
    readonly parameter: string,
    readonly value: string,
    expected: string,
  ) {
    super(`injection "${injection}": parameter "${parameter}" is ${JSON.stringify(value)}, not ${expected}`);
  }
}

/**
 * A start-up injection spec (`FAULTLINE_INJECTIONS`, `faultline serve --enable`) that cannot be used: the
 * message names the source, the entry and the position of the mistake. Nothing of that spec was enabled.
 */
export class InjectionSpecError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_INJECTION_SPEC' as const;

  constructor(
    readonly source: string,
    message: string,
  ) {
    super(`${source}: ${message}`);
  }
}
