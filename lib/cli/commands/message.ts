import { flagOption, type ParsedArgs } from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { withApi } from './api-call';
import { isLive, warnNotEnabled } from './live-check';
import { namedTarget } from './target';

const NAME = 'message';

export const messageCommand: Command = {
  name: NAME,
  summary: 'wake the handlers of an injection that wait for a message',
  options: { ...CLIENT_OPTIONS, json: { type: 'boolean' } },
  help: `Usage: faultline message URL NAME [--json]

Sends one message to the handlers of injection NAME on every shard: each handler waiting in
waitForMessage() goes on. Messages are counted, so one sent before a handler waits is kept for it.
A message to a name that is not enabled is dropped (as in ScyllaDB): it still exits 0, but says so on stderr.

Options:
  --json               print {"messaged", "node", "wasEnabled"} as one line of JSON
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { target, name } = namedTarget(NAME, args, io.env);
    const wasEnabled = await withApi(target, async (api) => {
      const live = await isLive(api, name);
      await api.message(name);
      return live;
    });
    if (!wasEnabled) warnNotEnabled(NAME, io, name, target, 'the message was dropped (enable it first)');
    io.stdout.write(
      (flagOption(args.values, 'json')
        ? JSON.stringify({ messaged: name, node: target.label, wasEnabled })
        : `sent a message to ${name} on ${target.label}`) + '\n',
    );
    return 0;
  },
};
