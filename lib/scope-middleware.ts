import { AsyncResource } from 'node:async_hooks';
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { injector as threadInjector, InvalidInjectionError, type ErrorInjector } from './injector';
import { InvalidScopeError, runInInjectionScope } from './injector/scope';
import { SCOPE_HEADER, scopeProblem } from './wire';

// The app side of scopes: each request of the app under test runs in the injection scope its header names, so a
// test that enabled an injection in its own scope (faultline/testing with `scope: true`) is the only one whose
// requests fire it. It lives in the app's server, not in faultline's own (`faultline/server`), and imports no
// web framework: node:http, Express and Fastify are met by their shapes.

export interface InjectionScopeOptions {
  /** The request header that names the scope (default `faultline-scope`); any case. */
  header?: string;
  /**
   * The injector whose switch decides whether scopes are read at all (default: this thread's). When it is switched
   * off (FAULTLINE=off), nothing can fire, so the header is not looked at and never refused.
   */
  injector?: ErrorInjector;
}

/** Express's and Connect's `next`; node:http callers pass their handler's continuation. */
export type ScopeNext = (err?: unknown) => void;

/** The parts of a Fastify instance the plugin uses (Fastify's own types are not a dependency). */
export interface FastifyLike {
  addHook(
    hook: 'onRequest' | 'preValidation',
    fn: (request: { raw: IncomingMessage }, reply: { raw: ServerResponse; hijack(): void }, done: () => void) => void,
  ): unknown;
}

/**
 * `(req, res, next)`: runs `next` in the scope the header names. For node:http, call it from the request handler
 * with the rest of the handling as `next`; for Express, `app.use()` it. `.fastify` is the Fastify plugin.
 */
export interface InjectionScopeMiddleware {
  (req: IncomingMessage, res: ServerResponse, next: ScopeNext): void;
  /** The Fastify plugin: `await app.register(scope.fastify)`; applies to every route of the app. */
  readonly fastify: (instance: FastifyLike, options: unknown, done: (err?: Error) => void) => void;
  /** The header it reads, lower-cased. */
  readonly header: string;
}

/**
 * An HTTP middleware that runs each request in the injection scope named by its `faultline-scope` header (or the
 * header given). A request without the header runs unscoped. A header that is not a valid scope (empty, over 128
 * characters, not printable ASCII without spaces, or sent twice) is answered 400 with
 * `{"message", "code": "ERR_FAULTLINE_INVALID_SCOPE"}` and goes no further: such a request would otherwise run
 * unscoped and take injections meant for nobody in particular, silently.
 *
 * @example
 * const scope = injectionScope();
 * http.createServer((req, res) => scope(req, res, () => app(req, res)));   // node:http
 * expressApp.use(injectionScope());                                         // Express
 * await fastifyApp.register(injectionScope().fastify);                      // Fastify
 */
export function injectionScope(options: InjectionScopeOptions = {}): InjectionScopeMiddleware {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidInjectionError(`injectionScope options must be an object, got ${String(options)}`);
  }
  const header = (options.header ?? SCOPE_HEADER).toLowerCase();
  if (!/^[!#$%&'*+.^_`|~0-9a-z-]+$/.test(header)) {
    throw new InvalidInjectionError(`injectionScope header must be an HTTP header name, got ${JSON.stringify(options.header)}`);
  }
  const injector = options.injector ?? threadInjector;

  /** The scope of a request: undefined (none), or the refusal it was answered with. */
  const scopeOf = (req: IncomingMessage): string | undefined | InvalidScopeError => {
    if (!injector.enabled) return undefined;
    const value = req.headers[header];
    if (value === undefined) return undefined;
    // Node joins a repeated custom header with ", ": a space, so it is refused below as one scope cannot hold it.
    const problem = scopeProblem(value);
    return problem === undefined ? (value as string) : new InvalidScopeError(value, `header ${header}: ${problem}`);
  };

  /** Runs `next` in the request's scope (its events too); a bad scope is refused, after `beforeRefusal`. */
  const enter = (req: IncomingMessage, res: ServerResponse, next: ScopeNext, beforeRefusal?: () => void): void => {
    const scope = scopeOf(req);
    if (scope instanceof InvalidScopeError) {
      beforeRefusal?.();
      return refuse(res, scope);
    }
    if (scope === undefined) return next();
    runInInjectionScope(scope, () => {
      bindToScope(req);
      bindToScope(res);
      next();
    });
  };
  const middleware = (req: IncomingMessage, res: ServerResponse, next: ScopeNext): void => enter(req, res, next);

  // Fastify runs the hooks after onRequest and the handler from its own callbacks; it keeps the context of the
  // `done` an onRequest hook calls, but the body is parsed between onRequest and preValidation, from the request
  // stream's events, so the scope is entered again at preValidation: whatever context the body arrived in, the
  // handler runs in the request's scope (spec/scope-middleware.net.spec.ts sends bodies in slow chunks).
  const fastify = (instance: FastifyLike, _options: unknown, done: (err?: Error) => void): void => {
    instance.addHook('onRequest', (request, reply, next) => enter(request.raw, reply.raw, next, () => reply.hijack()));
    instance.addHook('preValidation', (request, _reply, next) => {
      const scope = scopeOf(request.raw);
      if (typeof scope !== 'string') return next();
      runInInjectionScope(scope, next);
    });
    done();
  };
  // What fastify-plugin sets: the hooks apply to the whole app, not only to routes registered inside the plugin.
  Object.assign(fastify, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'faultline-injection-scope' });

  return Object.assign(middleware, { fastify, header });
}

/**
 * Runs the emitter's listeners in the current scope, whatever context emits: a request's 'data' and 'end' come
 * from the socket's callbacks, which run in the context the connection was accepted in, not the request's scope,
 * so a handler that reads its body (`req.on('end', ...)`) would otherwise reach its points unscoped. Per request,
 * only for a scoped one.
 */
function bindToScope(emitter: EventEmitter): void {
  emitter.emit = AsyncResource.bind(emitter.emit, 'FaultlineInjectionScope', emitter);
}

/** The body is not read: `Connection: close`, so the rest of it is not taken for the next request on the socket. */
function refuse(res: ServerResponse, err: InvalidScopeError): void {
  const body = JSON.stringify({ message: err.message, code: err.code });
  res.writeHead(400, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' });
  res.end(body);
}
