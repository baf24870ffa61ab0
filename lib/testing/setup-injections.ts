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
import { epochOf, parseWireId } from '../wire';
import { ArmedInjection, type ArmedHost } from './armed-injection';
import { EnableNotices } from './enable-notices';
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
}

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
  private readonly pendingNames: { readonly name: string }[] = [];
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
    this.dispatcher = new Agent();
    this.nodes = this.addresses.map((address) => ({
      name: nodeName(address),
      api: new InjectionApi(nodeUrl(address), { token: options.token, dispatcher: this.dispatcher }),
    }));
  }

  get stream(): InjectionStream | undefined {
    return this.current;
  }

  async open(): Promise<void> {
    await this.connected('open');
  }

  async enable(name: string, options: EnableInjectionOptions = {}): Promise<ArmedInjection> {
    const stream = await this.connected('enable');
    const armedAt = Date.now();
    const notices = new EnableNotices(stream, name, stream.mark());
    // Recorded before the requests: reset() disables it even if some node failed to enable it.
    const pending = { name };
    this.pendingNames.push(pending);
    let results: Awaited<ReturnType<InjectionApi['enable']>>[];
    try {
      // Settled, not all: a node that refuses must not leave the others' answers (and their state) unknown.
      results = await settledAll(this.nodes.map((node) => node.api.enable(name, options)));
    } catch (err) {
      notices.stop();
      throw err;
    }
    const positions = Object.fromEntries(this.nodes.map((node, i) => [node.name, results[i].position]));
    // A node that answers with a position is a faultline server, which sends an `enabled` notice.
    const noticing = this.nodes.filter((_node, i) => results[i].position !== undefined).map((node) => node.name);
    const mark = await notices.armedMark(noticing, this.timeout);
    const armed = new ArmedInjection(this, stream, name, positions, armedAt, mark);
    this.pendingNames.splice(this.pendingNames.indexOf(pending), 1);
    this.armed.push(armed);
    return armed;
  }

  async message(name: string): Promise<void> {
    this.assertOpen('message');
    await Promise.all(this.nodes.map((node) => node.api.message(name)));
  }

  async disable(armed: ArmedInjection): Promise<void> {
    this.assertOpen('disable');
    await this.disableOnAll([armed]);
  }

  async reset(): Promise<void> {
    this.assertOpen('reset');
    const armed = this.armed.splice(0);
    const failed = this.pendingNames.splice(0).map((p) => p.name);
    let unhit: UnhitInjection[];
    try {
      await this.disableOnAll(armed, failed);
      unhit = armed.filter((a) => a.hitCount === 0).map(describeUnhit);
    } finally {
      for (const a of armed) a.stop();
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
    extraNames: readonly string[] = [],
    settle = true,
  ): Promise<void> {
    const names = [...new Set([...armed.filter((a) => !a.disabled).map((a) => a.name), ...extraNames])];
    for (const a of armed) a.disabled = true;
    if (names.length === 0) return;
    const ends = await settledAll(
      this.nodes.map(async (node) => {
        const results = await settledAll(names.map((name) => node.api.disable(name)));
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
    const names = this.pendingNames.splice(0).map((p) => p.name);
    try {
      // Nothing is counted any more: no need to wait for the stream to catch up.
      if (this.current !== undefined) await this.disableOnAll(armed, names, false);
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
