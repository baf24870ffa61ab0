import type { EnableInjectionOptions } from '../../client';
import {
  expectPositionals,
  flagOption,
  integerOption,
  nameArgument,
  numberOption,
  parameterOptions,
  stringOption,
  stringsOption,
  type ParsedArgs,
} from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { formatParameters } from '../format';
import { withApi } from './api-call';
import { resolveTarget } from './target';

const NAME = 'enable';

export const enableCommand: Command = {
  name: NAME,
  summary: 'enable an injection on every shard',
  options: {
    ...CLIENT_OPTIONS,
    'one-shot': { type: 'boolean' },
    param: { type: 'string', multiple: true, short: 'p' },
    count: { type: 'string' },
    probability: { type: 'string' },
    skip: { type: 'string' },
    seed: { type: 'string' },
  },
  help: `Usage: faultline enable URL NAME [--one-shot] [--param KEY=VALUE]... [--count N] [--probability P]
                        [--skip K] [--seed S]

Enables injection NAME on every shard of the server. Enabling a name that is already enabled replaces it.

Options:
  --one-shot           fire once, then disable
  -p, --param K=V      a string parameter the point can read, sent in every event (repeatable)
  --count N            fire N times, then disable
  --probability P      fire on this share of reaches, 0 to 1
  --skip K             let the first K reaches pass
  --seed S             seed of --probability's generator, to replay a run
${TOKEN_HELP}
  -h, --help           show this help

--count, --probability, --skip and --seed are faultline's; a ScyllaDB node ignores them.
${URL_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values, positionals } = args;
    expectPositionals(NAME, positionals, ['URL', 'NAME']);
    const target = resolveTarget(NAME, positionals[0], values, io.env);
    const name = nameArgument(NAME, 'NAME', positionals[1]);
    const options: EnableInjectionOptions = { oneShot: flagOption(values, 'one-shot') };
    const parameters = parameterOptions(NAME, stringsOption(values, 'param'));
    if (parameters !== undefined) options.parameters = parameters;
    const count = integerOption(NAME, 'count', stringOption(values, 'count'), 1);
    if (count !== undefined) options.count = count;
    const probability = numberOption(NAME, 'probability', stringOption(values, 'probability'), 0, 1);
    if (probability !== undefined) options.probability = probability;
    const skip = integerOption(NAME, 'skip', stringOption(values, 'skip'), 0);
    if (skip !== undefined) options.skip = skip;
    const seed = integerOption(NAME, 'seed', stringOption(values, 'seed'), 0, 0xffffffff);
    if (seed !== undefined) options.seed = seed;

    await withApi(target, (api) => api.enable(name, options));
    io.stdout.write(`enabled ${name} on ${target.label}${describe(options)}\n`);
    return 0;
  },
};

function describe(o: EnableInjectionOptions): string {
  const parts: string[] = [];
  if (o.oneShot) parts.push('one-shot');
  if (o.count !== undefined) parts.push(`count ${o.count}`);
  if (o.probability !== undefined) parts.push(`probability ${o.probability}`);
  if (o.skip !== undefined) parts.push(`skip ${o.skip}`);
  if (o.seed !== undefined) parts.push(`seed ${o.seed}`);
  if (o.parameters !== undefined) parts.push(formatParameters(o.parameters as Record<string, string>));
  return parts.length ? ` (${parts.join(', ')})` : '';
}
