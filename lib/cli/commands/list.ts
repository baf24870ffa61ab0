import type { InjectionShardInfo } from '../../client';
import { expectPositionals, flagOption, type ParsedArgs } from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { formatParameters } from '../format';
import { withApi } from './api-call';
import { enters, unlessMissing } from './live-check';
import { resolveTarget } from './target';

const NAME = 'list';

export interface ListedInjection {
  readonly name: string;
  /** Enabled on at least one shard (false: an injection that ended, such as a one-shot that fired). */
  readonly enabled: boolean;
  readonly shards: readonly InjectionShardInfo[];
  /** Hits since it was enabled, summed over shards; absent from a server without the `/enters` route. */
  readonly hits?: number;
  /** Hits over the server's life, summed over shards; absent from a server without `/lifetime_enters`. */
  readonly lifetimeHits?: number;
}

export const listCommand: Command = {
  name: NAME,
  summary: 'list the injections, enabled and ended, and their state',
  options: { ...CLIENT_OPTIONS, json: { type: 'boolean' } },
  help: `Usage: faultline list URL [--json]

Lists the enabled injections, one per line: name, the shards it is enabled on, its parameters, its hits
since it was enabled and over the server's life (summed over shards), and the scopes it is enabled in (a
name enabled only in scopes shows on 0 shards unscoped). Then the injections that were hit and
are no longer enabled (a one-shot that fired, a count that ran out, a disabled one) with their lifetime hits,
so a one-shot that fired before you looked still shows. Prints nothing when nothing is enabled or was hit.

Options:
  --json               one JSON object per line: {"name", "enabled", "shards": [state on each shard],
                       "hits", "lifetimeHits"}
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values, positionals } = args;
    expectPositionals(NAME, positionals, ['URL']);
    const target = resolveTarget(NAME, positionals[0], values, io.env);
    const listed = await withApi(target, async (api) => {
      // `/lifetime_enters` is faultline's own: a ScyllaDB node answers 404, and there is nothing more to list.
      const [names, lifetimes] = await Promise.all([api.list(), unlessMissing(api.lifetimeEntersAll())]);
      const enabled = await Promise.all(
        names.sort().map(async (name): Promise<ListedInjection> => {
          const [shards, hits] = await Promise.all([api.get(name), enters(api, name)]);
          return withCounts({ name, enabled: true, shards }, hits, lifetimes?.[name]);
        }),
      );
      const ended = Object.entries(lifetimes ?? {})
        .filter(([name]) => !names.includes(name))
        .map(([name, lifetime]): ListedInjection => ({ name, enabled: false, shards: [], hits: 0, lifetimeHits: lifetime }));
      return [...enabled, ...ended];
    });
    const json = flagOption(values, 'json');
    for (const injection of listed) io.stdout.write((json ? JSON.stringify(injection) : describeInjection(injection)) + '\n');
    return 0;
  },
};

function withCounts(injection: ListedInjection, hits: number | undefined, lifetimeHits: number | undefined): ListedInjection {
  return {
    ...injection,
    ...(hits === undefined ? {} : { hits }),
    ...(lifetimeHits === undefined ? {} : { lifetimeHits }),
  };
}

/**
 * `name  on 3/4 shards  k=v  hits 12  lifetime 20`: what the server reports, ScyllaDB's fields and the
 * counts; `name  ended  lifetime 1` for an injection that is no longer enabled.
 */
export function describeInjection(injection: ListedInjection): string {
  const lifetime = injection.lifetimeHits === undefined ? [] : [`lifetime ${injection.lifetimeHits}`];
  if (!injection.enabled) return [injection.name, 'ended', ...lifetime].join('  ');
  const on = injection.shards.filter((s) => s.enabled === true);
  const parts = [injection.name, `on ${on.length}/${injection.shards.length} shards`];
  const params = parametersOf(on[0]);
  if (params !== '') parts.push(params);
  if (injection.hits !== undefined) parts.push(`hits ${injection.hits}`);
  const scopes = scopesOf(injection.shards);
  if (scopes.length > 0) parts.push(`scopes ${scopes.join(',')}`);
  return [...parts, ...lifetime].join('  ');
}

/** The scopes the name is enabled in on any shard (faultline's `scopes` field; `hits` counts the unscoped one). */
function scopesOf(shards: readonly InjectionShardInfo[]): string[] {
  const scopes = new Set<string>();
  for (const shard of shards) if (Array.isArray(shard.scopes)) for (const s of shard.scopes as unknown[]) if (typeof s === 'string') scopes.add(s);
  return [...scopes].sort();
}

function parametersOf(state: InjectionShardInfo | undefined): string {
  const list = state?.parameters;
  if (!Array.isArray(list)) return '';
  const params: Record<string, string> = {};
  for (const { key, value } of list) params[key] = value;
  return formatParameters(params);
}
