import { randomUUID } from 'node:crypto';
import { Agent } from 'undici';
import { filter, firstValueFrom, take, timeout as within } from 'rxjs';
import {
  ClientArgumentError,
  InjectionApi,
  openInjectionStream,
  type EnableInjectionOptions,
  type InjectionStream,
  type NodeAddress,
} from '../client';
import { nodeName, nodeUrl } from '../client/node-url';
import { enablementKey, epochOf, parseWireId, SCOPE_HEADER } from '../wire';
import { ArmedInjection, type ArmedHost } from './armed-injection';
import { EnableNotices } from '../client/enable-notices';
import { InjectionKitClosedError, UnhitInjectionError, type UnhitInjection } from './errors';

export interface SetupInjectionsOptions {
  /**
   * Milliseconds a wait (`armed.hit()`, `armed.hits(n)`) waits unless it says otherwise (default 4000: below
   * the 5 s after which jest and vitest fail a test, so a wait fails first, with its own message).
   */
  timeout?: number;
  /** `reset()` rejects with `UnhitInjectionError` for injections armed and never hit (default false: a warning). */
  strict?: boolean;
  /** Sent as `Authorization: Bearer <token>` to every node. */
  token?: string;
  /**
   * true: each test gets an injection scope of its own (a fresh one after every `reset()`). The kit enables in it,
   * its waits count only its hits, and `headers()` gives the header that makes the app (with the `injectionScope`
   * middleware) run the test's requests in it: test files running in parallel against one app server never take
   * each other's one-shots or see each other's hits. Default false.
   */
  scope?: boolean;
}

/** The kit `setupInjections` returns; see there. */
export interface InjectionKit extends AsyncDisposable {
  /** Connects to every node's event stream (idempotent; `enable` calls it when needed). */
  open(): Promise<void>;
  /** Enables `name` on every node and resolves once it is armed on all, with what its waits need. */
  enable(name: string, options?: EnableInjectionOptions): Promise<ArmedInjection>;
  /**
   * Disables every injection this kit enabled since the last reset, and reports those never hit: a process
   * warning, or with `strict: true` a rejection with `UnhitInjectionError` (after everything is disabled).
   */
  reset(): Promise<void>;
  /** Disables what is still armed, closes the stream and the connections: nothing keeps the process alive. */
  close(): Promise<void>;
  /** The stream the waits read, once open (for RxJS composition: `kit.stream.injection$`). */
  readonly stream: InjectionStream | undefined;
  /** The wait timeout in milliseconds (the `timeout` option, else 4000). */
  readonly timeout: number;
  /** This test's injection scope (with `scope: true`; a new one after each `reset()`), else undefined. */
  readonly scope: string | undefined;
  /**
   * The headers each request of this test sends to the app: `{ 'faultline-scope': scope }` with `scope: true`,
   * else `{}` (so a test can always spread them in).
   */
  headers(): Record<string, string>;
}

/** The header `injectionScope` (faultline's app-side middleware) reads by default. */

const DEFAULT_TIMEOUT = 4_000;
const MAX_TIMER = 2 ** 31 - 1;

/**
 * A test kit for any runner: one event stream over the given node(s), opened once, and per test the
 * injections it armed, each with the stream position it was armed at.
 *
 * @example
 * const faults = setupInjections(url);
 * beforeAll(() => faults.open());
 * afterEach(() => faults.reset());
 * afterAll(() => faults.close());
 *
 * const armed = await faults.enable('orders.pause', { oneShot: true });
 * placeOrder();
 * await armed.hit();      // the first hit after this enable, never one from before
 * await armed.message();  // releases the parked handler
 */
export function setupInjections(
  target: NodeAddress | readonly NodeAddress[],
  options: SetupInjectionsOptions = {},
): InjectionKit {
  return new Kit(target, options);
}

interface Node {
  readonly name: string;
  readonly api: InjectionApi;
}

class Kit implements InjectionKit, ArmedHost {
  readonly timeout: number;
  private readonly strict: boolean;
  private readonly token: string | undefined;
  private readonly addresses: readonly NodeAddress[];
  private readonly nodes: readonly Node[];
  private readonly dispatcher: Agent;
  private opened: Promise<InjectionStream> | undefined;
  private current: InjectionStream | undefined;
  /** Armed since the last reset, in order. */
  private armed: ArmedInjection[] = [];
  /** Names whose enable was sent and has not resolved (or failed on some node): reset disables them too. */
  private readonly pendingNames: Enablement[] = [];
  private readonly scoped: boolean;
  private currentScope: string | undefined;
  private closing: Promise<void> | undefined;

  constructor(target: NodeAddress | readonly NodeAddress[], options: SetupInjectionsOptions) {
    if (typeof options !== 'object' || options === null) {
      throw new ClientArgumentError(`setupInjections: options must be an object, not ${String(options)}`);
    }
    this.addresses = Array.isArray(target) ? [...(target as readonly NodeAddress[])] : [target as NodeAddress];
    if (this.addresses.length === 0) throw new ClientArgumentError('setupInjections: at least one URL is required');
    const ms = options.timeout ?? DEFAULT_TIMEOUT;
    if (!(typeof ms === 'number' && Number.isFinite(ms) && ms > 0 && ms <= MAX_TIMER)) {
      throw new ClientArgumentError(`setupInjections: timeout must be milliseconds from 1 to ${MAX_TIMER}, not ${String(ms)}`);
    }
    this.timeout = ms;
    this.strict = options.strict === true;
    this.token = options.token;
    if (options.scope !== undefined && typeof options.scope !== 'boolean') {
      throw new ClientArgumentError(`setupInjections: scope must be true or false, not ${JSON.stringify(options.scope)}`);
    }
    this.scoped = options.scope === true;
    this.currentScope = this.scoped ? newScope() : undefined;
    this.dispatcher = new Agent();
    this.nodes = this.addresses.map((address) => ({
      name: nodeName(address),
      api: new InjectionApi(nodeUrl(address), { token: options.token, dispatcher: this.dispatcher }),
    }));
  }

  get stream(): InjectionStream | undefined {
    return this.current;
  }

  get scope(): string | undefined {
    return this.currentScope;
  }

  headers(): Record<string, string> {
    return this.currentScope === undefined ? {} : { [SCOPE_HEADER]: this.currentScope };
  }

  async open(): Promise<void> {
    await this.connected('open');
  }

  async enable(name: string, options: EnableInjectionOptions = {}): Promise<ArmedInjection> {
    const scope = this.currentScope;
    if (scope !== undefined && options.scope !== undefined && options.scope !== scope) {
      throw new ClientArgumentError(`enable("${name}"): this kit enables in its own scope (${scope}); leave the scope option out`);
    }
    const stream = await this.connected('enable');
    const armedAt = Date.now();
    // Recorded before the requests: reset() disables it even if some node failed to enable it.
    const pending: Enablement = { name, scope: scope ?? options.scope };
    const notices = new EnableNotices(stream, name, pending.scope, stream.mark());
    this.pendingNames.push(pending);
    const sent = pending.scope === undefined ? options : { ...options, scope: pending.scope };
    let results: Awaited<ReturnType<InjectionApi['enable']>>[];
    try {
      // Settled, not all: a node that refuses must not leave the others' answers (and their state) unknown.
      results = await settledAll(this.nodes.map((node) => node.api.enable(name, sent)));
    } catch (err) {
      notices.stop();
      throw err;
    }
    const positions = Object.fromEntries(this.nodes.map((node, i) => [node.name, results[i].position]));
    // A node that answers with a position is a faultline server, which sends an `enabled` notice.
    const noticing = this.nodes.filter((_node, i) => results[i].position !== undefined).map((node) => node.name);
    const mark = await notices.armedMark(noticing, this.timeout);
    const armed = new ArmedInjection(this, stream, name, positions, armedAt, mark, pending.scope);
    this.pendingNames.splice(this.pendingNames.indexOf(pending), 1);
    this.armed.push(armed);
    return armed;
  }

  async message(name: string, scope?: string): Promise<void> {
    this.assertOpen('message');
    await Promise.all(this.nodes.map((node) => node.api.message(name, { scope })));
  }

  async disable(armed: ArmedInjection): Promise<void> {
    this.assertOpen('disable');
    await this.disableOnAll([armed]);
  }

  async reset(): Promise<void> {
    this.assertOpen('reset');
    const armed = this.armed.splice(0);
    const failed = this.pendingNames.splice(0);
    let unhit: UnhitInjection[];
    try {
      await this.disableOnAll(armed, failed);
      unhit = armed.filter((a) => a.hitCount === 0).map(describeUnhit);
    } finally {
      for (const a of armed) a.stop();
      // The next test's own scope: nothing of this one (a late request, a hit on its way) can touch it.
      if (this.scoped) this.currentScope = newScope();
    }
    if (unhit.length === 0) return;
    const error = new UnhitInjectionError(unhit);
    if (this.strict) throw error;
    process.emitWarning(error.message, { type: 'UnhitInjectionWarning', code: error.code });
  }

  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  private connected(method: string): Promise<InjectionStream> {
    this.assertOpen(method);
    this.opened ??= openInjectionStream([...this.addresses], { token: this.token }).then(
      (stream) => (this.current = stream),
      (err: unknown) => {
        this.opened = undefined;
        throw err;
      },
    );
    return this.opened;
  }

  /**
   * Disables each not yet disabled, on every node, then waits (at most `timeout`) until the stream delivered
   * every hit up to the positions the disables answered: a hit made just before the disable is then counted
   * before the unhit check looks.
   */
  private async disableOnAll(
    armed: readonly ArmedInjection[],
    extra: readonly Enablement[] = [],
    settle = true,
  ): Promise<void> {
    // By name and scope: a scoped kit disables only its own scope's enablement, never another test's.
    const byKey = new Map<string, Enablement>();
    for (const e of [...armed.filter((a) => !a.disabled), ...extra]) byKey.set(enablementKey(e.name, e.scope), e);
    const enablements = [...byKey.values()];
    for (const a of armed) a.disabled = true;
    if (enablements.length === 0) return;
    const ends = await settledAll(
      this.nodes.map(async (node) => {
        const results = await settledAll(enablements.map(({ name, scope }) => node.api.disable(name, { scope })));
        return { node: node.name, positions: results.map((r) => r.position) };
      }),
    );
    const stream = this.current;
    if (stream === undefined || !settle) return;
    await Promise.all(
      ends.map(({ node, positions }) => {
        const armedAt = armed.map((a) => a.positions[node]).filter(isString);
        return this.caughtUp(stream, node, latest(positions.filter(isString)), armedAt);
      }),
    );
  }

  /**
   * Resolves once the stream holds the hit at `position` of `node` (or a later one), or after `timeout`; at
   * once when no hit came on that node since the earliest arming (the stream may never have seen that one).
   */
  private async caughtUp(
    stream: InjectionStream,
    node: string,
    position: string | undefined,
    armedAt: readonly string[],
  ): Promise<void> {
    const end = position === undefined ? undefined : parseWireId(position);
    if (end === undefined) return;
    const since = armedAt.map(parseWireId).filter((p) => p?.epoch === end.epoch);
    if (since.length === 0 || since.every((p) => p !== undefined && p.seq >= end.seq)) return;
    await firstValueFrom(
      stream.injection$.pipe(
        filter((e) => e.node === node && e.id !== undefined && (epochOf(e.id) !== end.epoch || (parseWireId(e.id)?.seq ?? 0) >= end.seq)),
        take(1),
        within(this.timeout),
      ),
    ).catch(() => undefined);
  }

  private assertOpen(method: string): void {
    if (this.closing !== undefined) throw new InjectionKitClosedError(method);
  }

  private async shutdown(): Promise<void> {
    const armed = this.armed.splice(0);
    const pending = this.pendingNames.splice(0);
    try {
      // Nothing is counted any more: no need to wait for the stream to catch up.
      if (this.current !== undefined) await this.disableOnAll(armed, pending, false);
    } catch {
      // Best effort: a node that is gone has nothing left armed to disable.
    } finally {
      for (const a of armed) a.stop();
      const stream = await this.opened?.catch(() => undefined);
      await stream?.close();
      await this.dispatcher.destroy();
    }
  }
}

/** An enable the kit sent: its name, and the scope it was sent in. */
interface Enablement {
  readonly name: string;
  readonly scope: string | undefined;
}

/** A scope no other test (in this process or another) has: printable ASCII, well within the 128-character limit. */
function newScope(): string {
  return 't-' + randomUUID();
}

/** Promise.all that waits for every promise before it rejects with the first failure. */
async function settledAll<T>(promises: readonly Promise<T>[]): Promise<T[]> {
  const settled = await Promise.allSettled(promises);
  const failure = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure !== undefined) throw failure.reason;
  return settled.map((r) => (r as PromiseFulfilledResult<T>).value);
}

function describeUnhit(armed: ArmedInjection): UnhitInjection {
  return { name: armed.name, nodes: armed.nodes, armedAt: armed.armedAt };
}

function isString(value: string | undefined): value is string {
  return value !== undefined;
}

/** The largest of positions of one node (they share an epoch unless it restarted in between). */
function latest(positions: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestSeq = -1;
  for (const p of positions) {
    const seq = parseWireId(p)?.seq ?? -1;
    if (seq > bestSeq) [best, bestSeq] = [p, seq];
  }
  return best;
}
