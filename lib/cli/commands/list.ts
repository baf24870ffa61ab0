import type { InjectionShardInfo } from '../../client';
import { expectPositionals, flagOption, type ParsedArgs } from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { formatParameters } from '../format';
import { withApi } from './api-call';
import { enters } from './live-check';
import { resolveTarget } from './target';

const NAME = 'list';

export interface ListedInjection {
  readonly name: string;
  readonly shards: readonly InjectionShardInfo[];
  /** Hits since it was enabled, summed over shards; absent from a server without the `/enters` route. */
  readonly hits?: number;
}

export const listCommand: Command = {
  name: NAME,
  summary: 'list the enabled injections and their state',
  options: { ...CLIENT_OPTIONS, json: { type: 'boolean' } },
  help: `Usage: faultline list URL [--json]

Lists the enabled injections, one per line: name, the shards it is enabled on, its parameters, and its hits
since it was enabled (summed over shards). Prints nothing when none is enabled.

Options:
  --json               one JSON object per line: {"name", "shards": [state on each shard], "hits"}
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values, positionals } = args;
    expectPositionals(NAME, positionals, ['URL']);
    const target = resolveTarget(NAME, positionals[0], values, io.env);
    const listed = await withApi(target, async (api) => {
      const names = (await api.list()).sort();
      return Promise.all(
        names.map(async (name): Promise<ListedInjection> => {
          const [shards, hits] = await Promise.all([api.get(name), enters(api, name)]);
          return hits === undefined ? { name, shards } : { name, shards, hits };
        }),
      );
    });
    const json = flagOption(values, 'json');
    for (const injection of listed) io.stdout.write((json ? JSON.stringify(injection) : describeInjection(injection)) + '\n');
    return 0;
  },
};

/** `name  on 3/4 shards  k=v  hits 12`: what the server reports, ScyllaDB's fields and the enter count. */
export function describeInjection(injection: ListedInjection): string {
  const on = injection.shards.filter((s) => s.enabled === true);
  const parts = [injection.name, `on ${on.length}/${injection.shards.length} shards`];
  const params = parametersOf(on[0]);
  if (params !== '') parts.push(params);
  if (injection.hits !== undefined) parts.push(`hits ${injection.hits}`);
  return parts.join('  ');
}

function parametersOf(state: InjectionShardInfo | undefined): string {
  const list = state?.parameters;
  if (!Array.isArray(list)) return '';
  const params: Record<string, string> = {};
  for (const { key, value } of list) params[key] = value;
  return formatParameters(params);
}
