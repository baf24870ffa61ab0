import type { EnableInjectionOptions } from '../../client';
import { SCALAR_OPTION_NAMES, scalarOption, type ScalarOptionSpec } from '../../enable-options';
import {
  flagOption,
  integerOption,
  numberOption,
  parameterOptions,
  stringOption,
  stringsOption,
  type ParsedArgs,
} from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { formatParameters } from '../format';
import { withApi } from './api-call';
import { namedTarget } from './target';

const NAME = 'enable';

// The flags of the enable options come from their one definition (lib/enable-options.ts).
const flagOf = (spec: ScalarOptionSpec): string => spec.flag ?? spec.query;
const argOf = (spec: ScalarOptionSpec): string => (spec.kind === 'boolean' ? '' : spec.kind === 'integer' ? ' N' : ' P');
const SPECS = SCALAR_OPTION_NAMES.map((key) => [key, scalarOption(key)] as const);
const OURS = SPECS.filter(([, spec]) => !spec.scylla).map(([, spec]) => `--${flagOf(spec)}`);

export const enableCommand: Command = {
  name: NAME,
  summary: 'enable an injection on every shard',
  options: {
    ...CLIENT_OPTIONS,
    param: { type: 'string', multiple: true, short: 'p' },
    ...Object.fromEntries(SPECS.map(([, spec]) => [flagOf(spec), { type: spec.kind === 'boolean' ? 'boolean' : 'string' }])),
  },
  help: `Usage: faultline enable URL NAME [--param KEY=VALUE]... ${SPECS.map(([, spec]) => `[--${flagOf(spec)}${argOf(spec)}]`).join(' ')}

Enables injection NAME on every shard of the server. Enabling a name that is already enabled replaces it.

Options:
  -p, --param K=V      a string parameter the point can read, sent in every event (repeatable)
${SPECS.map(([, spec]) => `  ${`--${flagOf(spec)}${argOf(spec)}`.padEnd(21)}${spec.help}`).join('\n')}
${TOKEN_HELP}
  -h, --help           show this help

${OURS.slice(0, -1).join(', ')} and ${OURS[OURS.length - 1]} are faultline's; a ScyllaDB node ignores them.
${URL_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values } = args;
    const { target, name } = namedTarget(NAME, args, io.env);
    const options: EnableInjectionOptions = {};
    const parameters = parameterOptions(NAME, stringsOption(values, 'param'));
    if (parameters !== undefined) options.parameters = parameters;
    for (const [key, spec] of SPECS) {
      const flag = flagOf(spec);
      const value =
        spec.kind === 'boolean'
          ? flagOption(values, flag) || undefined
          : spec.kind === 'integer'
            ? integerOption(NAME, flag, stringOption(values, flag), spec.min ?? 0, spec.max)
            : numberOption(NAME, flag, stringOption(values, flag), spec.min ?? 0, spec.max);
      if (value !== undefined) (options as Record<string, unknown>)[key] = value;
    }

    await withApi(target, (api) => api.enable(name, options));
    io.stdout.write(`enabled ${name} on ${target.label}${describe(options)}\n`);
    return 0;
  },
};

function describe(o: EnableInjectionOptions): string {
  const parts: string[] = [];
  for (const [key, spec] of SPECS) {
    const value = o[key];
    if (value === true) parts.push(flagOf(spec));
    else if (typeof value === 'number') parts.push(`${flagOf(spec)} ${value}`);
  }
  if (o.parameters !== undefined) parts.push(formatParameters(o.parameters as Record<string, string>));
  return parts.length ? ` (${parts.join(', ')})` : '';
}
