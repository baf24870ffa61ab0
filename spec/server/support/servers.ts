import { ErrorInjector } from '../../../lib/injector';
import { createInjectionServer, type InjectionServer, type InjectionServerOptions } from '../../../lib/server';
import { ShardGroup, type ShardGroupOptions } from '../../../lib/shards';
import type { SseClient } from './sse-client';

export interface TestServer {
  readonly server: InjectionServer;
  readonly url: string;
  /** The injector of shard 0, private to this server so tests do not see each other's injections. */
  readonly injector: ErrorInjector;
  readonly group: ShardGroup;
}

const open: { server: InjectionServer; group: ShardGroup; clients: SseClient[] }[] = [];

/** A real server on 127.0.0.1, port 0, serving a fresh group over a fresh injector; `closeAll` in afterEach ends it. */
export async function startServer(
  options: InjectionServerOptions = {},
  groupOptions: ShardGroupOptions = {},
): Promise<TestServer> {
  const injector = new ErrorInjector();
  const group = new ShardGroup({ injector, ...groupOptions });
  const server = await createInjectionServer({ port: 0, shards: group, ...options });
  open.push({ server, group, clients: [] });
  return { server, url: server.url, injector, group };
}

/** Registers a client so closeAll destroys it even when a test fails half-way. */
export function track<T extends SseClient>(client: T): T {
  open[open.length - 1]?.clients.push(client);
  return client;
}

export async function closeAll(): Promise<void> {
  for (const { server, group, clients } of open.splice(0)) {
    for (const c of clients) c.close();
    await server.close();
    await group.close();
  }
}
