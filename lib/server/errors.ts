import { FaultlineError } from '../errors';

// Every refusal of the server is a class with its HTTP status and its `code` as literal fields (as undici's
// errors carry theirs), so the code a client reads in the JSON body `{ message, code }` is defined in one place,
// and code that handles a refusal matches its class. They are the server's own: a user reads the JSON answer,
// never these classes (faultline/server exports only what a user catches: option and start-up errors).

/**
 * A request the server refuses, with the HTTP status it answers and the JSON body `{ message, code }`.
 * Anything else thrown while serving a request is a bug and answers 500 (InternalServerError).
 */
export abstract class RequestRefusedError extends FaultlineError {
  abstract readonly status: number;

  constructor(
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/**
 * The base of a refusal class with its status and code as literal fields:
 * `class BadNameError extends refusal(400, 'ERR_FAULTLINE_BAD_NAME') {}`.
 */
function refusal<S extends number, C extends string>(status: S, code: C) {
  abstract class Refusal extends RequestRefusedError {
    readonly status: S = status;
    override readonly code: C = code;
  }
  return Refusal;
}

/** 400: a percent-encoded injection name that does not decode, or is not a valid name. */
export class BadNameError extends refusal(400, 'ERR_FAULTLINE_BAD_NAME') {}

/** 400: a query parameter (or Last-Event-ID) the route cannot use. */
export class BadQueryError extends refusal(400, 'ERR_FAULTLINE_BAD_QUERY') {}

/** 400: a parameters body that is JSON, but not an object of parameters. */
export class BadBodyError extends refusal(400, 'ERR_FAULTLINE_BAD_BODY') {}

/** 400: a parameters body that is not JSON (or not UTF-8). */
export class BadJsonError extends refusal(400, 'ERR_FAULTLINE_BAD_JSON') {}

/** 400: a parameters body nested deeper than the server parses: refused before anything recurses. */
export class JsonTooDeepError extends refusal(400, 'ERR_FAULTLINE_JSON_TOO_DEEP') {}

/** 400: an enable the injector refuses (its InvalidInjectionError, whose code the answer keeps). */
export class InvalidEnableError extends refusal(400, 'ERR_FAULTLINE_INVALID') {}

/** ScyllaDB's limit on the parameters body of `POST /injection/{name}`, with its status (400) and wording. */
export const MAX_BODY_BYTES = 1024 * 1024;

export class BodyTooLargeError extends refusal(400, 'ERR_FAULTLINE_BODY_TOO_LARGE') {
  /**
   * `keepReading`: the server reads and drops the rest of the body after answering, so a client that sends
   * it whole reads the answer instead of a reset; otherwise the answer says Connection: close and the rest
   * is never read (a body too big to be worth reading).
   */
  constructor(keepReading = false) {
    super(`Injection parameters are too long, max length is ${MAX_BODY_BYTES}`, keepReading ? {} : { connection: 'close' });
  }
}

export class UnauthorizedError extends refusal(401, 'ERR_FAULTLINE_UNAUTHORIZED') {
  constructor(message: string) {
    super(message, { 'www-authenticate': 'Bearer realm="faultline"' });
  }
}

/** A state-changing request sent by a web page of another origin (a cross-site "simple" POST needs no preflight). */
export class ForbiddenOriginError extends refusal(403, 'ERR_FAULTLINE_FORBIDDEN_ORIGIN') {
  constructor(origin: string) {
    super(
      `refusing a state-changing request from origin ${JSON.stringify(origin)}; only the server's own origin (or one listed in allowedOrigins) may change injections`,
    );
  }
}

/**
 * A request whose Host header is not a name this server answers to: the shape of a DNS-rebinding attack (a web
 * page whose host name now resolves to this machine). Nothing was read or changed.
 */
export class ForbiddenHostError extends refusal(403, 'ERR_FAULTLINE_FORBIDDEN_HOST') {
  constructor(host: string) {
    super(
      `refusing a request for host ${JSON.stringify(host.slice(0, 256))}: this server answers localhost, IP addresses and the names in allowedHosts (CLI --allowed-host)`,
    );
  }
}

export class NotFoundError extends refusal(404, 'ERR_FAULTLINE_NOT_FOUND') {
  constructor(path: string, message = `no route for ${JSON.stringify(path)}`) {
    super(message);
  }
}

export class MethodNotAllowedError extends refusal(405, 'ERR_FAULTLINE_METHOD_NOT_ALLOWED') {
  constructor(method: string, allowed: readonly string[], message = `method ${method} is not allowed here; use ${allowed.join(' or ')}`) {
    super(message, { allow: allowed.join(', ') });
  }
}

/** A request whose headers, or whole body, did not arrive within the server's timeouts. */
export class RequestTimeoutError extends refusal(408, 'ERR_FAULTLINE_REQUEST_TIMEOUT') {}

/** `enable` in a process running with FAULTLINE=off (the injector's InjectionsOffError, whose code it keeps). */
export class SwitchedOffError extends refusal(409, 'ERR_FAULTLINE_OFF') {}

export class ExpectationFailedError extends refusal(417, 'ERR_FAULTLINE_EXPECTATION_FAILED') {
  constructor() {
    super('only "Expect: 100-continue" is understood');
  }
}

/** A request Node could not parse at all (answered on the raw socket, `createInjectionServer` only). */
export class MalformedRequestError extends RequestRefusedError {
  override readonly code = 'ERR_FAULTLINE_BAD_HTTP' as const;

  constructor(
    readonly status: 400 | 431,
    message: string,
  ) {
    super(message);
  }
}

/** Anything thrown while serving a request that is not a refusal: a bug, answered 500. */
export class InternalServerError extends refusal(500, 'ERR_FAULTLINE_INTERNAL') {
  constructor(cause: unknown) {
    super(`internal error: ${cause instanceof Error ? cause.message : String(cause)}`, {}, { cause });
  }
}

/** `POST /disconnect/{ip}`: a ScyllaDB route faultline knows but does not act on. */
export class DisconnectNotSupportedError extends refusal(501, 'ERR_FAULTLINE_DISCONNECT_NOT_SUPPORTED') {}

/** Too many requests (or streams) at once, or the server is closing: try again. */
export class ServiceUnavailableError extends refusal(503, 'ERR_FAULTLINE_UNAVAILABLE') {
  constructor(message: string) {
    super(message, { 'retry-after': '1', connection: 'close' });
  }
}

/** The server's shard group is closed (the server is shutting down). */
export class GroupClosedError extends refusal(503, 'ERR_FAULTLINE_GROUP_CLOSED') {
  constructor(message: string) {
    super(message, { 'retry-after': '1', connection: 'close' });
  }
}

/** The connection over `maxSockets`, answered on the raw socket and closed. */
export class TooManyConnectionsError extends refusal(503, 'ERR_FAULTLINE_TOO_MANY_CONNECTIONS') {
  constructor(maxSockets: number) {
    super(`the server has its maximum of ${maxSockets} connections open; try again`, { 'retry-after': '1' });
  }
}

/**
 * createInjectionServer was asked to listen beyond loopback with no token: anyone on the network could then
 * make the app throw or hang. It starts only with a token, or with `insecureOpenServer: true`.
 */
export class OpenServerRefusedError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_OPEN_SERVER_REFUSED' as const;

  constructor(host: string) {
    super(
      `refusing to listen on ${JSON.stringify(host)} without a token: anyone who can reach it could enable injections. ` +
        'Set a token (CLI --token), listen on 127.0.0.1, or say an open server is wanted with insecureOpenServer: true (CLI --insecure-open-server)',
    );
  }
}

/** An option of createInjectionServer or injectionMiddleware that cannot be used. */
export class InvalidServerOptionError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_INVALID_OPTION' as const;
}
