import type { Socket } from 'node:net';
import { Agent } from 'undici';
import { InjectionApi } from '../../../lib/client/injection-api';
import type { InjectionStream } from '../../../lib/client/injection-stream';
import { ErrorInjector } from '../../../lib/injector';
import { createInjectionServer, type InjectionServer, type InjectionServerOptions } from '../../../lib/server';
import { ShardGroup, type ShardGroupOptions } from '../../../lib/shards';
import { ShardWorker } from '../../fixtures/workers/shard-worker';

// A real faultline server on 127.0.0.1 (port 0 unless told) in front of a ShardGroup of the main thread plus
// commanded worker shards (spec/fixtures/workers/commanded-shard.js, which loads the BUILT package: run
// `npm run build` first). Everything a stand opens is closed by `closeStands()` in afterEach, even when a test
// fails half-way, so jest exits by itself.

export interface Stand {
  readonly server: InjectionServer;
  readonly url: string;
  readonly group: ShardGroup;
  /** Shard 0's injector, private to this stand. */
  readonly main: ErrorInjector;
  /** workers[i] is shard i + 1. */
  readonly workers: ShardWorker[];
  /** A REST client on its own connection pool, closed with the stand. */
  readonly api: InjectionApi;
  /** Every socket the server accepted and has not closed yet, to cut them from the server side. */
  readonly sockets: Set<Socket>;
}

export interface StandOptions {
  /** Commanded worker shards besides the main thread (default 0). */
  readonly workers?: number;
  readonly server?: InjectionServerOptions;
  readonly group?: Omit<ShardGroupOptions, 'injector'>;
}

const stands: Stand[] = [];
const extraWorkers: { stop(): Promise<void> }[] = [];
const streams: InjectionStream[] = [];
const agents: Agent[] = [];
const cleanups: (() => void)[] = [];

export async function startStand(options: StandOptions = {}): Promise<Stand> {
  const main = new ErrorInjector({ enabled: true });
  const group = new ShardGroup({ injector: main, ...options.group });
  const workers: ShardWorker[] = [];
  const agent = new Agent();
  agents.push(agent);
  // Registered before anything can fail, so closeStands() still terminates what was started.
  const partial = { group, workers } as Partial<Stand> & { group: ShardGroup; workers: ShardWorker[] };
  stands.push(partial as Stand);
  // One at a time, so that workers[i] is shard i + 1.
  for (let i = 0; i < (options.workers ?? 0); i++) {
    const w = new ShardWorker('commanded-shard');
    workers.push(w);
    await group.addWorker(w.worker);
  }
  const server = await createInjectionServer({ port: 0, ...options.server, shards: group });
  const sockets = new Set<Socket>();
  server.server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  Object.assign(partial, { server, url: server.url, main, api: new InjectionApi(server.url, { dispatcher: agent }), sockets });
  return partial as Stand;
}

/** Registers a worker of another fixture, so closeStands() terminates it too. */
export function trackWorker<T extends { stop(): Promise<void> }>(worker: T): T {
  extraWorkers.push(worker);
  return worker;
}

/** Registers a client stream so closeStands() closes it first. */
export function trackStream<T extends InjectionStream>(stream: T): T {
  streams.push(stream);
  return stream;
}

/** Runs `close` first thing in closeStands() (for SseClients, raw sockets, subscriptions). */
export function onCleanup(close: () => void): void {
  cleanups.push(close);
}

export async function closeStands(): Promise<void> {
  for (const close of cleanups.splice(0)) close();
  await Promise.all(streams.splice(0).map((s) => s.close()));
  for (const stand of stands.splice(0)) {
    await stand.server?.close();
    await stand.group.close();
    await Promise.all(stand.workers.map((w) => w.stop()));
  }
  await Promise.all(extraWorkers.splice(0).map((w) => w.stop()));
  await Promise.all(agents.splice(0).map((a) => a.close()));
}
