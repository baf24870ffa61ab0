import { getGlobalDispatcher, request, type Dispatcher } from 'undici';
import { SCALAR_OPTION_NAMES, scalarOption, type EnableOptions } from '../enable-options';
import { ClientArgumentError, HttpError, NetworkError, ResponseShapeError } from './errors';
import { readBounded, type ResponseBody } from './bounded-body';
import { apiBase, encodeInjectionName } from './node-url';
import type { AppliedChange } from './types';
import { POSITION_HEADER } from '../wire';
import type { ParkedHandlers } from '../event';

export interface InjectionApiOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string;
  /** The undici Dispatcher to use (default: undici's global one). */
  dispatcher?: Dispatcher;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/**
 * The enable options (`oneShot` goes as ScyllaDB's `one_shot=True`; `count`, `skip`, `probability`, `seed` and
 * `scope` are faultline's query parameters, which a ScyllaDB node ignores).
 */
export interface EnableInjectionOptions extends Omit<EnableOptions, 'parameters'> {
  /** String parameters, sent as the JSON body; other values go as their string form, as ScyllaDB's client sends them. */
  parameters?: Record<string, string | number | boolean>;
}

/** Which enablement of a name a call means (faultline's; a ScyllaDB node ignores it): that scope's only. */
export interface ScopeOption {
  scope?: string;
}

/** One element of `get(name)`: the injection's state on one shard, as ScyllaDB reports it (plus extras). */
export interface InjectionShardInfo {
  readonly enabled: boolean;
  readonly parameters?: ReadonlyArray<{ readonly key: string; readonly value: string }>;
  readonly [extra: string]: unknown;
}

const ERROR_BODY_LIMIT = 64 * 1024;

/**
 * ScyllaDB's error-injection REST API, with the requests ScyllaDB's own test client sends (`one_shot=True`,
 * a JSON body, `{}` when there are no parameters, names percent-encoded), so it drives a faultline server
 * and a ScyllaDB node alike. Every failure is typed: `HttpError` (status and body) or `NetworkError`.
 */
export class InjectionApi {
  /** The API base, `<url>/v2/error_injection`. */
  readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly dispatcher: Dispatcher | undefined;

  constructor(url: string | URL, options: InjectionApiOptions = {}) {
    this.base = apiBase(url);
    this.headers = { ...options.headers };
    if (options.token !== undefined) this.headers.authorization = `Bearer ${options.token}`;
    this.dispatcher = options.dispatcher;
  }

  /**
   * Enables an injection on every shard. Resolves with where it was armed: `position` is the server's stream
   * position at that moment, which `waitForInjection(name, { after: position })` counts hits after, so no
   * hit from before the enable is ever taken for one of it (undefined from a ScyllaDB node).
   */
  async enable(name: string, options: EnableInjectionOptions = {}): Promise<AppliedChange> {
    const query = enableQuery(name, options);
    // fromEntries defines own properties: an assignment would turn a parameter named "__proto__" into a no-op.
    const parameters = Object.fromEntries(Object.entries(options.parameters ?? {}).map(([key, value]) => [key, String(value)]));
    return applied(await this.request('POST', this.injectionPath(name), query, JSON.stringify(parameters)));
  }

  /**
   * Disables an injection on every shard (releasing its waiting handlers): every enablement of it, or with
   * `scope` that scope's only; unknown names are fine. Resolves with the position once every shard applied it:
   * every hit of what it disabled is at or before it.
   */
  async disable(name: string, options: ScopeOption = {}): Promise<AppliedChange> {
    return applied(await this.request('DELETE', this.injectionPath(name), scopeQuery(options)));
  }

  /** Disables every injection on every shard; resolves as `disable` does. */
  async disableAll(): Promise<AppliedChange> {
    return applied(await this.request('DELETE', '/injection'));
  }

  /** The names of the enabled injections. */
  async list(): Promise<string[]> {
    const value = await this.send('GET', '/injection');
    if (!Array.isArray(value) || !value.every((n) => typeof n === 'string')) {
      throw this.unexpected('GET', '/injection', value, 'an array of names');
    }
    return value as string[];
  }

  /** The injection's state on each shard, indexed by shard (with `scope`: of that scope's enablement). */
  async get(name: string, options: ScopeOption = {}): Promise<InjectionShardInfo[]> {
    const path = this.injectionPath(name);
    const value = await this.send('GET', path, scopeQuery(options));
    if (!Array.isArray(value)) throw this.unexpected('GET', path, value, 'an array of shard states');
    return value as InjectionShardInfo[];
  }

  /**
   * Hits of the injection's current enablement, summed over shards; 0 when it is not enabled, after a disable
   * and once a one-shot fired (ScyllaDB's polling route, counted as ScyllaDB counts).
   */
  async enters(name: string): Promise<number> {
    return this.count(this.injectionPath(name) + '/enters');
  }

  /**
   * Hits of the injection over the server's life, summed over shards and never reset (faultline only; a
   * ScyllaDB node answers 404). Read it before enabling and wait for it to pass that value: no hit is missed.
   */
  async lifetimeEnters(name: string): Promise<number> {
    this.injectionPath(name);
    return this.count('/lifetime_enters/' + encodeInjectionName(name));
  }

  /**
   * Every name enabled now or hit at some point, with its hits over the server's life summed over shards
   * (faultline only; a ScyllaDB node answers 404): a one-shot that fired is here though no longer enabled.
   */
  async lifetimeEntersAll(): Promise<Record<string, number>> {
    const value = await this.send('GET', '/lifetime_enters');
    const ok =
      typeof value === 'object' && value !== null && !Array.isArray(value) && Object.values(value).every((n) => typeof n === 'number');
    if (!ok) throw this.unexpected('GET', '/lifetime_enters', value, 'an object of counts');
    return value as Record<string, number>;
  }

  /**
   * Handlers waiting for a message now, one row per injection and shard (faultline only; a ScyllaDB node
   * answers 404): a parked one-shot handler is here though its injection is no longer enabled.
   */
  async parked(): Promise<ParkedHandlers[]> {
    const value = await this.send('GET', '/parked');
    if (!Array.isArray(value) || !value.every(isParkedRow)) throw this.unexpected('GET', '/parked', value, 'an array of parked handlers');
    return value;
  }

  private async count(path: string): Promise<number> {
    const value = await this.send('GET', path);
    if (typeof value !== 'number') throw this.unexpected('GET', path, value, 'a number');
    return value;
  }

  /** Wakes the handlers of the injection that wait for a message, on every shard (with `scope`: of that scope). */
  async message(name: string, options: ScopeOption = {}): Promise<void> {
    await this.send('POST', this.injectionPath(name) + '/message', scopeQuery(options));
  }

  private injectionPath(name: string): string {
    if (typeof name !== 'string' || name === '') {
      throw new ClientArgumentError(`an injection name is required, not ${JSON.stringify(name)}`);
    }
    return '/injection/' + encodeInjectionName(name);
  }

  private async send(method: string, path: string, query?: Record<string, string>, body?: string): Promise<unknown> {
    return (await this.request(method, path, query, body)).value;
  }

  private async request(
    method: string,
    path: string,
    query?: Record<string, string>,
    body?: string,
  ): Promise<{ value: unknown; headers: Dispatcher.ResponseData['headers'] }> {
    // Concatenated, not resolved: the name is already percent-encoded and the base may carry a path prefix.
    const url = new URL(this.base.href + path);
    for (const [key, value] of Object.entries(query ?? {})) url.searchParams.set(key, value);
    const headers: Record<string, string> = { accept: 'application/json', ...this.headers };
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Dispatcher.ResponseData;
    try {
      res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        headers,
        body,
        dispatcher: this.dispatcher ?? getGlobalDispatcher(),
      });
    } catch (err) {
      throw new NetworkError(`${method} ${url.href}`, undefined, err);
    }
    if (res.statusCode < 200 || res.statusCode > 299) {
      throw new HttpError(method, url.href, res.statusCode, await readBounded(res.body, ERROR_BODY_LIMIT));
    }
    const text = await readAll(res.body, method, url);
    if (text.trim() === '') return { value: undefined, headers: res.headers };
    try {
      return { value: JSON.parse(text) as unknown, headers: res.headers };
    } catch {
      throw this.unexpected(method, path, text, 'JSON');
    }
  }

  private unexpected(method: string, path: string, value: unknown, expected: string): ResponseShapeError {
    const shown = typeof value === 'string' ? value : String(JSON.stringify(value));
    return new ResponseShapeError(method, this.base.href + path, shown, expected);
  }
}

/** The headers a faultline server adds to a change; a ScyllaDB node sends neither. */
function applied({ headers }: { headers: Dispatcher.ResponseData['headers'] }): AppliedChange {
  const position = headers[POSITION_HEADER];
  const down = headers['faultline-shards-down'];
  return {
    position: typeof position === 'string' && position !== '' ? position : undefined,
    shardsDown: typeof down === 'string' && down !== '' ? down.split(',').map(Number) : [],
  };
}

async function readAll(body: ResponseBody, method: string, url: URL): Promise<string> {
  try {
    return await body.text();
  } catch (err) {
    throw new NetworkError(`${method} ${url.href}`, undefined, err);
  }
}

/**
 * The query of an enable, as ScyllaDB's client writes it: its own options always (`one_shot=True` or `False`),
 * faultline's only when set.
 */
function enableQuery(name: string, options: EnableInjectionOptions): Record<string, string> {
  const query: Record<string, string> = {};
  for (const key of SCALAR_OPTION_NAMES) {
    const spec = scalarOption(key);
    const value: unknown = options[key];
    switch (spec.kind) {
      case 'boolean':
        if (value !== undefined || spec.scylla) query[spec.query] = value === true ? 'True' : 'False';
        break;
      case 'string':
        if (value === undefined) break;
        if (typeof value !== 'string') {
          throw new ClientArgumentError(`enable("${name}"): ${key} must be a string, not ${String(value)}`);
        }
        // Checked by the server, which says what is wrong with it.
        query[spec.query] = value;
        break;
      default:
        if (value === undefined) break;
        if (typeof value !== 'number' || !Number.isFinite(value)) {
          throw new ClientArgumentError(`enable("${name}"): ${key} must be a number, not ${String(value)}`);
        }
        query[spec.query] = String(value);
    }
  }
  return query;
}

/** The query of a call that may name a scope (nothing for a call without one, as ScyllaDB's client sends). */
function scopeQuery(options: ScopeOption): Record<string, string> | undefined {
  if (options.scope === undefined) return undefined;
  if (typeof options.scope !== 'string') {
    throw new ClientArgumentError(`scope must be a string, not ${String(options.scope as unknown)}`);
  }
  return { scope: options.scope };
}

function isParkedRow(row: unknown): row is ParkedHandlers {
  if (typeof row !== 'object' || row === null) return false;
  const { injection, shard, waiters } = row as Record<string, unknown>;
  return typeof injection === 'string' && Number.isInteger(shard) && Number.isInteger(waiters);
}
