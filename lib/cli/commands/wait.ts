import { parseWireId } from '../../wire';
import { numberOption, scopeOptions, shardOptions, stringOption, stringsOption, type ParsedArgs } from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { UsageError } from '../errors';
import { awaitHit, DEFAULT_WAIT_S } from './await-hit';
import { namedTarget } from './target';

const NAME = 'wait';

export const waitCommand: Command = {
  name: NAME,
  summary: 'wait for one hit of an injection, print it as JSON, exit',
  options: {
    ...CLIENT_OPTIONS,
    timeout: { type: 'string' },
    shard: { type: 'string', multiple: true },
    since: { type: 'string' },
    scope: { type: 'string' },
  },
  help: `Usage: faultline wait URL NAME [--timeout SECONDS] [--shard N]... [--scope S] [--since POSITION]

Waits for the next hit of injection NAME, prints it as one line of JSON and exits 0; exits 1 with a message
saying what it saw instead when no hit comes in time. Once it is listening it says so on stderr ("waiting
for ..."), so a script can start it in the background, wait for that line, then trigger the hit.

With --since, it counts only hits after that stream position (the one \`faultline enable\` prints), and
hits after it that came before \`wait\` started count too: the server replays them from its history.

Options:
  --timeout SECONDS    give up after this long (default ${DEFAULT_WAIT_S}; fractions allowed)
  --shard N            only a hit on this shard (repeat for several)
  --scope S            only a hit of NAME's enablement in injection scope S (faultline's; the server filters);
                       a disable of another scope's enablement does not end the wait
  --since POSITION     only a hit after this position (<epoch>-<seq>, as enable prints it)
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}

Example:
  pos=$(faultline enable http://127.0.0.1:10000 my_point --one-shot --json | jq -r .position)
  faultline wait http://127.0.0.1:10000 my_point --since "$pos" --timeout 10 && echo "reached my_point"
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values } = args;
    const { target, name } = namedTarget(NAME, args, io.env);
    const seconds = numberOption(NAME, 'timeout', stringOption(values, 'timeout'), 0.001, 2_000_000) ?? DEFAULT_WAIT_S;
    const shards = shardOptions(NAME, stringsOption(values, 'shard'));
    const since = stringOption(values, 'since');
    if (since !== undefined && parseWireId(since) === undefined) {
      throw new UsageError(`--since ${JSON.stringify(since)} is not a stream position (<epoch>-<seq>, as enable prints it)`, NAME);
    }
    const [scope] = scopeOptions(NAME, stringsOption(values, 'scope'));
    return awaitHit(NAME, io, target, name, { seconds, shards, scope, after: since });
  },
};
