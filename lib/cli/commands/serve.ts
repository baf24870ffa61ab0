import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { InjectionSpecError, injector } from '../../injector';
import { parseInjectionSpec, type InjectionSpecEntry } from '../../injector/injection-spec';
import { API_BASE_PATH, DASHBOARD_PATH, EVENTS_PATH } from '../../wire';
import { createInjectionServer, dashboardHandler, OpenServerRefusedError, ShardGroup, type InjectionServer } from '../../server';
import { flagOption, integerOption, stringOption, stringsOption, type ParsedArgs } from '../args';
import { HELP_OPTION, type CliIo, type Command } from '../command';
import { DEMO_INJECTIONS, startDemoWorkload, type DemoWorkload } from '../demo-workload';
import { CommandFailedError, UsageError } from '../errors';
import { settleWithin } from '../settle-within';
import { STOP_MESSAGE, type ShardWorkerData } from '../shard-worker-data';
import { watchTargets } from './watch';

const NAME = 'serve';
export const DEFAULT_PORT = 10000;
const MAX_SHARDS = 256;

export interface ServeOptions {
  readonly host: string;
  readonly port: number;
  readonly shards: number;
  readonly token: string | undefined;
  readonly demo: boolean;
  /** Host names answered besides localhost and addresses (`--allowed-host`), or 'all'. */
  readonly allowedHosts?: readonly string[] | 'all';
  /** `--insecure-open-server`: listen beyond loopback without a token. */
  readonly insecureOpenServer?: boolean;
  /** `--enable SPEC`: injections enabled on every shard before the server listens. */
  readonly enables?: readonly InjectionSpecEntry[];
}

/** Milliseconds a worker gets to end by itself after STOP_MESSAGE before it is terminated. */
const WORKER_STOP_MS = 5000;
/** The most any one step of the shutdown is waited for; a step still running then is reported and left behind. */
const SHUTDOWN_STEP_MS = 10_000;

/** Asks a worker to stop (its workload ends, its thread exits), terminating it if it does not in time. */
async function stopWorker(worker: Worker): Promise<void> {
  if (worker.threadId === -1) return;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.postMessage(STOP_MESSAGE);
  const timer = setTimeout(() => void worker.terminate(), WORKER_STOP_MS);
  await exited;
  clearTimeout(timer);
}

/** A running server: its group, its workers, and how to stop them all. */
export interface RunningServer {
  readonly url: string;
  /** URLs other machines can use (a server bound beyond loopback); empty on loopback. */
  readonly networkUrls: readonly string[];
  readonly group: ShardGroup;
  close(): Promise<void>;
}

/**
 * Starts a ShardGroup of `shards` shards (this thread plus shards-1 worker threads running shard-worker.js),
 * the demo workload on each when asked, and the HTTP server in front of them.
 */
export async function startServer(options: ServeOptions, io: CliIo): Promise<RunningServer> {
  const group = new ShardGroup({ injector });
  const workers: Worker[] = [];
  let demo: DemoWorkload | undefined;
  let stopping = false;
  const step = async (what: string, work: Promise<unknown> | undefined): Promise<void> => {
    const settled = await settleWithin(work, SHUTDOWN_STEP_MS);
    if (!settled.ok) io.stderr.write(`faultline ${NAME}: could not ${what} (${settled.reason}); going on\n`);
  };
  const cleanup = async (): Promise<void> => {
    stopping = true;
    await step('stop the demo workload', demo?.stop());
    await step('close the shard group', group.close());
    await step('stop the worker shards', Promise.all(workers.map(stopWorker)));
  };
  try {
    const workerData: ShardWorkerData = { demo: options.demo };
    for (let i = 1; i < options.shards; i++) {
      const worker = new Worker(join(__dirname, '..', 'shard-worker.js'), { workerData });
      worker.on('error', (err) => io.stderr.write(`faultline ${NAME}: worker shard ${i} failed: ${err.stack ?? err.message}\n`));
      worker.on('exit', (code) => {
        if (!stopping) io.stderr.write(`faultline ${NAME}: worker shard ${i} exited (code ${code}); it is down\n`);
      });
      workers.push(worker);
    }
    await Promise.all(workers.map((w) => group.addWorker(w)));
    for (const [name, enableOptions] of options.enables ?? []) await group.enableOnAll(name, enableOptions);
    if (options.demo) {
      demo = startDemoWorkload(injector, {
        onError: (err, point) => io.stderr.write(`faultline ${NAME}: shard 0: a pass of ${point} failed: ${err.message}\n`),
      });
    }
  } catch (err) {
    await cleanup();
    throw new CommandFailedError(`cannot start the worker shards: ${(err as Error).message}`, { cause: err });
  }
  let server: InjectionServer;
  try {
    server = await createInjectionServer({
      shards: group,
      host: options.host,
      port: options.port,
      token: options.token,
      allowedHosts: options.allowedHosts,
      insecureOpenServer: options.insecureOpenServer,
      ui: dashboardHandler,
    });
  } catch (err) {
    await cleanup();
    if (err instanceof OpenServerRefusedError) {
      throw new CommandFailedError(
        `refusing to listen on ${options.host} without a token: anyone who can reach it could make this process throw or hang. ` +
          'Give --token T, keep the default --host 127.0.0.1, or add --insecure-open-server if an open server is really wanted',
        { cause: err },
      );
    }
    const code = (err as { code?: unknown }).code;
    const where = `${options.host}:${options.port}`;
    if (code === 'EADDRINUSE') throw new CommandFailedError(`cannot listen on ${where}: the port is in use (pick another with --port)`, { cause: err });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new CommandFailedError(`cannot listen on ${where}: no such local address`, { cause: err });
    if (code === 'EACCES') throw new CommandFailedError(`cannot listen on ${where}: permission denied`, { cause: err });
    throw err;
  }
  const url = server.url.replace(/\/+$/, '');
  return {
    url,
    networkUrls: server.networkUrls,
    group,
    close: async () => {
      await step('close the HTTP server', server.close());
      await cleanup();
    },
  };
}

export function parseServeOptions(command: string, values: ParsedArgs['values'], env: NodeJS.ProcessEnv, defaults: { shards: number; demo: boolean }): ServeOptions {
  const host = stringOption(values, 'host') ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty', command);
  const token = stringOption(values, 'token') ?? (env.FAULTLINE_TOKEN || undefined);
  if (token !== undefined && (token === '' || /\s/.test(token))) {
    throw new UsageError('--token must be a non-empty string without whitespace', command);
  }
  const allowed = stringsOption(values, 'allowed-host');
  if (allowed.some((h) => h.trim() === '')) throw new UsageError('--allowed-host must not be empty', command);
  return {
    host,
    enables: enableSpecs(command, stringsOption(values, 'enable')),
    allowedHosts: allowed.some((h) => h.trim().toLowerCase() === 'all') ? 'all' : allowed,
    insecureOpenServer: flagOption(values, 'insecure-open-server'),
    port: integerOption(command, 'port', stringOption(values, 'port'), 0, 65535) ?? DEFAULT_PORT,
    shards: integerOption(command, 'shards', stringOption(values, 'shards'), 1, MAX_SHARDS) ?? defaults.shards,
    token,
    demo: defaults.demo || flagOption(values, 'demo'),
  };
}

/** Every `--enable SPEC`, read whole before anything starts: a bad one is a usage error, and no name may repeat. */
function enableSpecs(command: string, specs: readonly string[]): InjectionSpecEntry[] {
  try {
    const entries = specs.flatMap((spec) => parseInjectionSpec(spec, `--enable ${JSON.stringify(spec)}`));
    const names = entries.map(([name]) => name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) throw new InjectionSpecError('--enable', `injection ${JSON.stringify(twice)} is given twice`);
    return entries;
  } catch (err) {
    if (err instanceof InjectionSpecError) throw new UsageError(err.message, command);
    throw err;
  }
}

/** The lines serve prints once it listens; the first one is what scripts (and the tests) read the URL from. */
export function describeServer(url: string, options: ServeOptions, invokedAs: string, networkUrls: readonly string[] = []): string {
  const workers = options.shards - 1;
  const shards = `${options.shards} shard${options.shards === 1 ? '' : 's'}: main thread${workers ? ` + ${workers} worker${workers === 1 ? '' : 's'}` : ''}`;
  const withToken = (u: string): string => (options.token === undefined ? u : `${u}?token=${encodeURIComponent(options.token)}`);
  let text = `faultline listening on ${url} (${shards})\n`;
  text += `  REST API   ${url}${API_BASE_PATH}/injection\n`;
  text += `  events     ${url}${EVENTS_PATH}\n`;
  text += `  dashboard  ${withToken(url + DASHBOARD_PATH)}\n`;
  for (const other of networkUrls) text += `  network    ${other}\n`;
  if (options.token !== undefined) text += `  token      required (Authorization: Bearer ..., or FAULTLINE_TOKEN for the CLI)\n`;
  else if (networkUrls.length > 0) text += `  WARNING    no token: anyone who can reach this server controls its injections\n`;
  if (options.demo) {
    text += `Demo workload on every shard: ${DEMO_INJECTIONS.join(', ')}. Try, from another terminal:\n`;
    text += `  ${invokedAs} watch ${url}\n`;
    text += `  ${invokedAs} enable ${url} demo_lambda --count 3 --param user=alice\n`;
    text += `  ${invokedAs} enable ${url} demo_handler --one-shot\n`;
    text += `  ${invokedAs} message ${url} demo_handler\n`;
  }
  return text;
}

export const SERVE_OPTIONS = {
  ...HELP_OPTION,
  host: { type: 'string' },
  port: { type: 'string' },
  shards: { type: 'string' },
  token: { type: 'string' },
  demo: { type: 'boolean' },
  'allowed-host': { type: 'string', multiple: true },
  'insecure-open-server': { type: 'boolean' },
  enable: { type: 'string', multiple: true },
  watch: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export const SERVE_OPTIONS_HELP = `  --host HOST          address to listen on (default 127.0.0.1; keep it on loopback unless you set --token)
  --port PORT          port to listen on (default ${DEFAULT_PORT}, ScyllaDB's API port; 0 picks a free one)
  --shards N           shards in the group: the main thread plus N-1 worker threads (default SHARDS)
  --token T            require "Authorization: Bearer T" on every request (default: $FAULTLINE_TOKEN)
  --allowed-host NAME  also answer requests for this host name (repeatable; ".example.com" admits its
                       subdomains; "all" turns the check off); localhost and IP addresses always work
  --insecure-open-server
                       listen beyond loopback without a token (anyone who can reach it controls injections)
  --enable SPEC        enable injections on every shard before listening (repeatable), in the grammar of
                       FAULTLINE_INJECTIONS: "name;name2=25%3*(k=v)" or JSON (docs/guide.md)
  --demo               run the demo workload on every shard (see below)
  --watch              also print every hit, as 'faultline watch' does
  --json               with --watch: one JSON object per line`;

export const DEMO_HELP = `The demo workload keeps passing these points on every shard, each about every 100 ms, so enabling one
produces hits at once:
  demo_sleep       sleeps "ms" milliseconds (parameter, default 500, at most 60000)
  demo_exception   throws InjectedError; the workload catches it, as an app would
  demo_lambda      runs a small function
  demo_handler     waits for a message ('faultline message URL demo_handler') for at most "timeout" ms
                   (parameter, default 10000)`;

/** Serves until io.stop aborts, optionally watching its own hits; then closes everything and returns 0. */
export async function serveUntilStopped(
  options: ServeOptions,
  watch: { on: boolean; json: boolean },
  io: CliIo,
  afterStart?: (server: RunningServer) => Promise<void>,
): Promise<number> {
  const server = await startServer(options, io);
  try {
    io.stdout.write(describeServer(server.url, options, io.invokedAs, server.networkUrls));
    if (afterStart) await afterStart(server);
    if (watch.on) {
      const target = { base: server.url, label: new URL(server.url).host, token: options.token };
      await watchTargets([target], { injections: [], shards: [], types: [], scopes: [], json: watch.json }, io);
    }
    if (!io.stop.aborted) await new Promise<void>((resolve) => io.stop.addEventListener('abort', () => resolve(), { once: true }));
    io.stderr.write(`faultline ${NAME}: stopping\n`);
  } finally {
    await server.close();
  }
  io.stderr.write(`faultline ${NAME}: stopped\n`);
  return 0;
}

export const serveCommand: Command = {
  name: NAME,
  summary: 'serve the REST API, the event stream and the dashboard for a group of shards',
  options: SERVE_OPTIONS,
  help: `Usage: faultline serve [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--shards N] [--token T] [--allowed-host NAME]... [--enable SPEC]... [--demo] [--watch]

Serves ScyllaDB's error-injection REST API, the event stream of hits and the dashboard for a group of
shards, and prints their URLs. Stops cleanly on Ctrl-C (SIGINT) or SIGTERM.

Options:
${SERVE_OPTIONS_HELP.replace('SHARDS', '1')}
  -h, --help           show this help

${DEMO_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument: ${args.positionals.join(' ')}`, NAME);
    const options = parseServeOptions(NAME, args.values, io.env, { shards: 1, demo: false });
    const watch = flagOption(args.values, 'watch');
    if (flagOption(args.values, 'json') && !watch) throw new UsageError('--json needs --watch', NAME);
    return serveUntilStopped(options, { on: watch, json: flagOption(args.values, 'json') }, io);
  },
};
