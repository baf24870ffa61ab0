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

/**
 * A request whose Host header is not a name this server answers to: the shape of a DNS-rebinding attack (a web
 * page whose host name now resolves to this machine). Nothing was read or changed.
 */
export class ForbiddenHostError extends HttpError {
  constructor(host: string) {
    super(
      403,
      'ERR_FAULTLINE_FORBIDDEN_HOST',
      `refusing a request for host ${JSON.stringify(host.slice(0, 256))}: this server answers localhost, IP addresses and the names in allowedHosts (CLI --allowed-host)`,
    );
  }
}

/** A ScyllaDB route faultline knows but does not act on (`POST /disconnect/{ip}`). */
export class NotImplementedError extends HttpError {
  constructor(code: string, message: string) {
    super(501, code, message);
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

/**
 * createInjectionServer was asked to listen beyond loopback with no token: anyone on the network could then
 * make the app throw or hang. It starts only with a token, or with `insecureOpenServer: true`.
 */
export class OpenServerRefusedError extends FaultlineError {
  constructor(host: string) {
    super(
      'ERR_FAULTLINE_OPEN_SERVER_REFUSED',
      `refusing to listen on ${JSON.stringify(host)} without a token: anyone who can reach it could enable injections. ` +
        'Set a token (CLI --token), listen on 127.0.0.1, or say an open server is wanted with insecureOpenServer: true (CLI --insecure-open-server)',
    );
  }
}

/** An option of createInjectionServer or injectionHandler that cannot be used. */
export class InvalidServerOptionError extends FaultlineError {
  constructor(message: string) {
    super('ERR_FAULTLINE_INVALID_OPTION', message);
  }
}
