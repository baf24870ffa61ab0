import { expectPositionals, nameArgument, type ParsedArgs } from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { withApi } from './api-call';
import { resolveTarget } from './target';

const NAME = 'disable';

export const disableCommand: Command = {
  name: NAME,
  summary: 'disable one injection, or all of them',
  options: { ...CLIENT_OPTIONS },
  help: `Usage: faultline disable URL [NAME]

Disables injection NAME on every shard, or every injection when NAME is left out. Handlers waiting for a
message are released. Disabling a name that is not enabled is not an error.

Options:
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values, positionals } = args;
    expectPositionals(NAME, positionals, ['URL'], ['NAME']);
    const target = resolveTarget(NAME, positionals[0], values, io.env);
    if (positionals.length === 1) {
      await withApi(target, (api) => api.disableAll());
      io.stdout.write(`disabled every injection on ${target.label}\n`);
      return 0;
    }
    const name = nameArgument(NAME, 'NAME', positionals[1]);
    await withApi(target, (api) => api.disable(name));
    io.stdout.write(`disabled ${name} on ${target.label}\n`);
    return 0;
  },
};
