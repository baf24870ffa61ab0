import type { Subscription } from 'rxjs';
import { openInjectionStream, type InjectionStream, type ReceivedInjectionEvent } from '../../client';
import type { InjectionType } from '../../event';
import { flagOption, nameOptions, scopeOptions, shardOptions, stringsOption, typeOptions, type ParsedArgs } from '../args';
import { ansi, plain, shouldColor } from '../color';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { UsageError } from '../errors';
import { formatEventJson, formatEventLine } from '../format';
import { failure, resolveTarget, type Target } from './target';

const NAME = 'watch';

export interface WatchOptions {
  readonly injections: readonly string[];
  readonly shards: readonly number[];
  readonly types: readonly InjectionType[];
  /** Only hits of enablements in these injection scopes (none: every hit, scoped or not). */
  readonly scopes: readonly string[];
  readonly json: boolean;
}

/**
 * Prints every hit of the given servers until `io.stop` aborts (exit 0) or every server is lost for good
 * (exit 1). Reconnecting is the client's job; this says so on stderr, so stdout stays one line per event.
 */
export async function watchTargets(targets: readonly Target[], options: WatchOptions, io: CliIo): Promise<number> {
  const token = targets.find((t) => t.token !== undefined)?.token;
  let stream: InjectionStream;
  try {
    stream = await openInjectionStream(
      targets.map((t) => ({ url: t.base, name: t.label })),
      {
        token,
        injection: options.injections.length ? options.injections : undefined,
        shard: options.shards.length ? options.shards : undefined,
        type: options.types.length ? options.types : undefined,
        scope: options.scopes.length ? options.scopes : undefined,
        // A tail is meant to outlive restarts: keep trying, at most every 5 s.
        reconnect: { attempts: Number.MAX_SAFE_INTEGER, maxDelay: 5000 },
      },
    );
  } catch (err) {
    const node = (err as { node?: unknown }).node;
    const target = targets.find((t) => t.label === node) ?? targets[0];
    throw failure(err, target);
  }

  const paint = options.json ? plain : shouldColor(io.stdout, io.env) ? ansi : plain;
  const note = (text: string): void => {
    io.stderr.write(`faultline ${NAME}: ${text}\n`);
  };
  const where = targets.map((t) => t.label).join(', ');
  note(`watching ${where}${describeFilters(options)} (Ctrl-C to stop)`);

  const subscriptions: Subscription[] = [];
  const reconnecting = new Set<string>();
  subscriptions.push(
    stream.nodeStatus$.subscribe(({ node, status }) => {
      if (status === 'reconnecting' && !reconnecting.has(node)) {
        reconnecting.add(node);
        note(`lost the connection to ${node}; reconnecting`);
      } else if (status === 'open' && reconnecting.delete(node)) {
        note(`reconnected to ${node}`);
      }
    }),
    stream.gaps$.subscribe((gap) => {
      const why = gap.reason === 'restart' ? 'the server restarted' : gap.reason === 'history' ? 'its history did not reach back far enough' : 'it cannot resume a stream';
      note(`events may have been missed on ${gap.node}: ${why}`);
    }),
  );

  const ended = new Promise<number>((resolve) => {
    subscriptions.push(
      stream.injection$.subscribe({
        next: (event) => io.stdout.write(render(event, options.json, paint) + '\n'),
        error: (err: unknown) => {
          note((err as Error).message);
          resolve(1);
        },
        complete: () => resolve(0),
      }),
    );
  });
  const onStop = (): void => void stream.close();
  io.stop.addEventListener('abort', onStop, { once: true });
  if (io.stop.aborted) onStop();
  try {
    return await ended;
  } finally {
    io.stop.removeEventListener('abort', onStop);
    for (const s of subscriptions) s.unsubscribe();
    await stream.close();
  }
}

function render(event: ReceivedInjectionEvent, json: boolean, paint: typeof plain): string {
  // seq is the client's own arrival counter, not part of the event.
  const { seq: _seq, ...wire } = event;
  return json ? formatEventJson(wire, event.node) : formatEventLine(wire, { node: event.node, receivedAt: Date.now(), paint });
}

function describeFilters(options: WatchOptions): string {
  const parts: string[] = [];
  if (options.injections.length) parts.push(`injection ${options.injections.join('|')}`);
  if (options.shards.length) parts.push(`shard ${options.shards.join('|')}`);
  if (options.types.length) parts.push(`type ${options.types.join('|')}`);
  if (options.scopes.length) parts.push(`scope ${options.scopes.join('|')}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}

export const watchCommand: Command = {
  name: NAME,
  summary: 'print every hit, live, one line each (or JSON)',
  options: {
    ...CLIENT_OPTIONS,
    injection: { type: 'string', multiple: true },
    shard: { type: 'string', multiple: true },
    type: { type: 'string', multiple: true },
    scope: { type: 'string', multiple: true },
    json: { type: 'boolean' },
  },
  help: `Usage: faultline watch URL... [--injection NAME]... [--shard N]... [--type T]... [--scope S]... [--json]

Prints every hit of the servers' enabled injections as it happens, one line each: time, node, shard, type,
name and parameters. Coloured on a terminal, plain when piped (NO_COLOR and FORCE_COLOR are honoured).
A dropped connection is re-established by itself, resuming where it left off; notices go to stderr.

Options:
  --injection NAME     only hits of this injection (repeat for several)
  --shard N            only hits on this shard (repeat for several)
  --type T             only hits of this type: sleep, handler, exception or lambda (repeatable)
  --scope S            only hits of enablements in injection scope S, never an unscoped one (repeatable;
                       faultline's, the server filters)
  --json               one JSON object per line instead (the event as sent, plus "node")
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}
Several URLs are watched as one stream; each line names its node.
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values, positionals } = args;
    if (positionals.length === 0) throw new UsageError('missing URL', NAME);
    const targets = positionals.map((url) => resolveTarget(NAME, url, values, io.env));
    const labels = targets.map((t) => t.label);
    const twice = labels.find((l, i) => labels.indexOf(l) !== i);
    if (twice !== undefined) throw new UsageError(`${twice} is given twice`, NAME);
    return watchTargets(
      targets,
      {
        injections: nameOptions(NAME, 'injection', stringsOption(values, 'injection')),
        shards: shardOptions(NAME, stringsOption(values, 'shard')),
        types: typeOptions(NAME, stringsOption(values, 'type')),
        scopes: scopeOptions(NAME, stringsOption(values, 'scope')),
        json: flagOption(values, 'json'),
      },
      io,
    );
  },
};
