import { expectPositionals, flagOption, nameArgument, scopeOptions, stringsOption, type ParsedArgs } from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { UsageError } from '../errors';
import { withApi } from './api-call';
import { isLive, warnNotEnabled } from './live-check';
import { resolveTarget } from './target';

const NAME = 'disable';

export const disableCommand: Command = {
  name: NAME,
  summary: 'disable one injection, or all of them',
  options: { ...CLIENT_OPTIONS, json: { type: 'boolean' }, scope: { type: 'string' } },
  help: `Usage: faultline disable URL [NAME [--scope S]] [--json]

Disables injection NAME on every shard (every enablement of it, in every scope), or every injection when NAME
is left out. Handlers waiting for a message are released. Disabling a name that is not enabled is not an error
(exit 0), but says so on stderr.

Options:
  --scope S            only NAME's enablement in injection scope S (faultline's; a ScyllaDB node ignores it)
  --json               print {"disabled" (the name, or null for all), "node", "wasEnabled", "position"}
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values, positionals } = args;
    expectPositionals(NAME, positionals, ['URL'], ['NAME']);
    const target = resolveTarget(NAME, positionals[0], values, io.env);
    const json = flagOption(values, 'json');
    const [scope] = scopeOptions(NAME, stringsOption(values, 'scope'));
    if (scope !== undefined && positionals.length === 1) throw new UsageError('--scope needs a NAME', NAME);
    if (positionals.length === 1) {
      const { position } = await withApi(target, (api) => api.disableAll());
      io.stdout.write(
        (json
          ? JSON.stringify({ disabled: null, node: target.label, position: position ?? null })
          : `disabled every injection on ${target.label}`) + '\n',
      );
      return 0;
    }
    const name = nameArgument(NAME, 'NAME', positionals[1]);
    const { wasEnabled, position } = await withApi(target, async (api) => {
      const live = await isLive(api, name);
      return { wasEnabled: live, position: (await api.disable(name, { scope })).position };
    });
    if (!wasEnabled) warnNotEnabled(NAME, io, name, target, 'nothing was disabled');
    io.stdout.write(
      (json
        ? JSON.stringify({ disabled: name, node: target.label, wasEnabled, position: position ?? null })
        : `disabled ${name}${scope === undefined ? '' : ` in scope ${scope}`} on ${target.label}`) + '\n',
    );
    return 0;
  },
};
