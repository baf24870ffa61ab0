import type { ParsedArgs } from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { withApi } from './api-call';
import { namedTarget } from './target';

const NAME = 'message';

export const messageCommand: Command = {
  name: NAME,
  summary: 'wake the handlers of an injection that wait for a message',
  options: { ...CLIENT_OPTIONS },
  help: `Usage: faultline message URL NAME

Sends one message to the handlers of injection NAME on every shard: each handler waiting in
waitForMessage() goes on. Messages are counted, so one sent before a handler waits is kept for it.

Options:
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { target, name } = namedTarget(NAME, args, io.env);
    await withApi(target, (api) => api.message(name));
    io.stdout.write(`sent a message to ${name} on ${target.label}\n`);
    return 0;
  },
};
