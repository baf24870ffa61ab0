import { FaultlineError } from '../errors';

/**
 * A request the server refuses, with the HTTP status it answers and the JSON body `{ message, code }`.
 * Anything else thrown while serving a request is a bug and answers 500.
 */
export class HttpError extends FaultlineError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(code, message);
  }
}

/** 400: a name, query value or body the server cannot use. */
export class BadRequestError extends HttpError {
  constructor(code: string, message: string, headers?: Record<string, string>) {
    super(400, code, message, headers);
  }
}

/** ScyllaDB's limit on the parameters body of `POST /injection/{name}`, with its status (400) and wording. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends BadRequestError {
  /**
   * `keepReading`: the server reads and drops the rest of the body after answering, so a client that sends
   * it whole reads the answer instead of a reset; otherwise the answer says Connection: close and the rest
   * is never read (a body too big to be worth reading).
   */
  constructor(keepReading = false) {
    super(
      'ERR_FAULTLINE_BODY_TOO_LARGE',
      `Injection parameters are too long, max length is ${MAX_BODY_BYTES}`,
      keepReading ? {} : { connection: 'close' },
    );
  }
}

export class NotFoundError extends HttpError {
  constructor(path: string) {
    super(404, 'ERR_FAULTLINE_NOT_FOUND', `no route for ${JSON.stringify(path)}`);
  }
}

export class MethodNotAllowedError extends HttpError {
  constructor(method: string, allowed: readonly string[]) {
    super(405, 'ERR_FAULTLINE_METHOD_NOT_ALLOWED', `method ${method} is not allowed here; use ${allowed.join(' or ')}`, {
      allow: allowed.join(', '),
    });
  }
}

export class UnauthorizedError extends HttpError {
  constructor(message: string) {
    super(401, 'ERR_FAULTLINE_UNAUTHORIZED', message, { 'www-authenticate': 'Bearer realm="faultline"' });
  }
}

/** A state-changing request sent by a web page of another origin (a cross-site "simple" POST needs no preflight). */
export class ForbiddenOriginError extends HttpError {
  constructor(origin: string) {
    super(
      403,
      'ERR_FAULTLINE_FORBIDDEN_ORIGIN',
      `refusing a state-changing request from origin ${JSON.stringify(origin)}; only the server's own origin (or one listed in allowedOrigins) may change injections`,
    );
  }
}

/** `enable` in a process running with FAULTLINE=off. */
export class ConflictError extends HttpError {
  constructor(code: string, message: string) {
    super(409, code, message);
  }
}

export class ServiceUnavailableError extends HttpError {
  constructor(message: string, code = 'ERR_FAULTLINE_UNAVAILABLE') {
    super(503, code, message, { 'retry-after': '1', connection: 'close' });
  }
}

/** An option of createInjectionServer or injectionHandler that cannot be used. */
export class InvalidServerOptionError extends FaultlineError {
  constructor(message: string) {
    super('ERR_FAULTLINE_INVALID_OPTION', message);
  }
}
