import type { AppliedChange, EnableInjectionOptions } from '../../client';
import { SCALAR_OPTION_NAMES, scalarOption, type ScalarOptionSpec } from '../../enable-options';
import {
  flagOption,
  integerOption,
  numberOption,
  parameterOptions,
  scopeOptions,
  stringOption,
  stringsOption,
  type ParsedArgs,
} from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { UsageError } from '../errors';
import { formatParameters } from '../format';
import { withApi } from './api-call';
import { awaitHit, DEFAULT_WAIT_S } from './await-hit';
import { namedTarget, type Target } from './target';

const NAME = 'enable';

// The flags of the enable options come from their one definition (lib/enable-options.ts).
const flagOf = (spec: ScalarOptionSpec): string => spec.flag ?? spec.query;
const ARGS: Readonly<Record<ScalarOptionSpec['kind'], string>> = { boolean: '', integer: ' N', fraction: ' P', string: ' S' };
const argOf = (spec: ScalarOptionSpec): string => ARGS[spec.kind];
const SPECS = SCALAR_OPTION_NAMES.map((key) => [key, scalarOption(key)] as const);
const OURS = SPECS.filter(([, spec]) => !spec.scylla).map(([, spec]) => `--${flagOf(spec)}`);

export const enableCommand: Command = {
  name: NAME,
  summary: 'enable an injection on every shard',
  options: {
    ...CLIENT_OPTIONS,
    param: { type: 'string', multiple: true, short: 'p' },
    wait: { type: 'boolean' },
    timeout: { type: 'string' },
    json: { type: 'boolean' },
    ...Object.fromEntries(SPECS.map(([, spec]) => [flagOf(spec), { type: spec.kind === 'boolean' ? 'boolean' : 'string' }])),
  },
  help: `Usage: faultline enable URL NAME [--param KEY=VALUE]... ${SPECS.map(([, spec]) => `[--${flagOf(spec)}${argOf(spec)}]`).join(' ')}
                       [--wait [--timeout SECONDS]] [--json]

Enables injection NAME on every shard of the server. Enabling a name that is already enabled replaces it.
Prints the stream position it was armed at (\`faultline wait URL NAME --since POSITION\` counts only hits
after it). With --wait, it then waits for the first hit after the arming and prints it as one line of JSON
(exit 0), or exits 1 when none comes in time.

Options:
  -p, --param K=V      a string parameter the point can read, sent in every event (repeatable)
  --wait               wait for the first hit after the arming, print it as JSON
  --timeout SECONDS    with --wait: give up after this long (default ${DEFAULT_WAIT_S}; fractions allowed)
  --json               print {"enabled", "node", "position", "shardsDown", "options"} as one line of JSON
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
      const value = flagValue(values, spec);
      if (value !== undefined) (options as Record<string, unknown>)[key] = value;
    }

    const wait = flagOption(values, 'wait');
    const seconds = numberOption(NAME, 'timeout', stringOption(values, 'timeout'), 0.001, 2_000_000);
    if (seconds !== undefined && !wait) throw new UsageError('--timeout is for --wait', NAME);
    const enable = async (): Promise<AppliedChange> => withApi(target, (api) => api.enable(name, options));
    if (wait) {
      return awaitHit(NAME, io, target, name, {
        seconds: seconds ?? DEFAULT_WAIT_S,
        shards: [],
        // The hit of this enablement: in its scope, when it has one.
        scope: options.scope,
        arm: async () => {
          const change = await enable();
          return { position: change.position, said: enabledLine(name, target, options, change) };
        },
      });
    }
    const change = await enable();
    io.stdout.write(
      (flagOption(values, 'json')
        ? JSON.stringify({ enabled: name, node: target.label, position: change.position ?? null, shardsDown: change.shardsDown, options })
        : enabledLine(name, target, options, change)) + '\n',
    );
    return 0;
  },
};

/** The value of an enable option's flag, checked as its kind says; undefined when not given. */
function flagValue(values: ParsedArgs['values'], spec: ScalarOptionSpec): boolean | number | string | undefined {
  const flag = flagOf(spec);
  switch (spec.kind) {
    case 'boolean':
      return flagOption(values, flag) || undefined;
    case 'integer':
      return integerOption(NAME, flag, stringOption(values, flag), spec.min ?? 0, spec.max);
    case 'fraction':
      return numberOption(NAME, flag, stringOption(values, flag), spec.min ?? 0, spec.max);
    case 'string':
      // The one string option is the scope.
      return scopeOptions(NAME, stringsOption(values, flag))[0];
  }
}

/** `enabled x on host:port (one-shot) at <position>`: the position is left out for a server that gives none. */
function enabledLine(name: string, target: Target, options: EnableInjectionOptions, change: AppliedChange): string {
  const at = change.position !== undefined ? ` at ${change.position}` : '';
  const down = change.shardsDown.length > 0 ? ` (shards down: ${change.shardsDown.join(', ')})` : '';
  return `enabled ${name} on ${target.label}${describe(options)}${at}${down}`;
}

function describe(o: EnableInjectionOptions): string {
  const parts: string[] = [];
  for (const [key, spec] of SPECS) {
    const value = o[key];
    if (value === true) parts.push(flagOf(spec));
    else if (typeof value === 'number' || typeof value === 'string') parts.push(`${flagOf(spec)} ${value}`);
  }
  if (o.parameters !== undefined) parts.push(formatParameters(o.parameters as Record<string, string>));
  return parts.length ? ` (${parts.join(', ')})` : '';
}
