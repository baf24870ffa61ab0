import { openInjectionStream, StreamClosedError, WaitTimeoutError, type InjectionStream } from '../../client';
import { numberOption, shardOptions, stringOption, stringsOption, type ParsedArgs } from '../args';
import { CLIENT_OPTIONS, TOKEN_HELP, URL_HELP, type CliIo, type Command } from '../command';
import { CommandFailedError } from '../errors';
import { formatEventJson } from '../format';
import { failure, namedTarget } from './target';

const NAME = 'wait';
const DEFAULT_TIMEOUT_S = 30;

export const waitCommand: Command = {
  name: NAME,
  summary: 'wait for one hit of an injection, print it as JSON, exit',
  options: {
    ...CLIENT_OPTIONS,
    timeout: { type: 'string' },
    shard: { type: 'string', multiple: true },
  },
  help: `Usage: faultline wait URL NAME [--timeout SECONDS] [--shard N]...

Waits for the next hit of injection NAME, prints it as one line of JSON and exits 0; exits 1 with a message
saying what it saw instead when no hit comes in time. Once it is listening it says so on stderr ("waiting
for ..."), so a script can start it in the background, wait for that line, then trigger the hit.

Options:
  --timeout SECONDS    give up after this long (default ${DEFAULT_TIMEOUT_S}; fractions allowed)
  --shard N            only a hit on this shard (repeat for several)
${TOKEN_HELP}
  -h, --help           show this help

${URL_HELP}

Example:
  faultline enable http://127.0.0.1:10000 my_point --one-shot
  faultline wait http://127.0.0.1:10000 my_point --timeout 10 && echo "reached my_point"
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    const { values } = args;
    const { target, name } = namedTarget(NAME, args, io.env);
    const seconds = numberOption(NAME, 'timeout', stringOption(values, 'timeout'), 0.001, 2_000_000) ?? DEFAULT_TIMEOUT_S;
    const shards = shardOptions(NAME, stringsOption(values, 'shard'));

    let stream: InjectionStream;
    try {
      stream = await openInjectionStream(
        { url: target.base, name: target.label },
        { token: target.token, injection: name, shard: shards.length ? shards : undefined },
      );
    } catch (err) {
      throw failure(err, target);
    }
    const onStop = (): void => void stream.close();
    io.stop.addEventListener('abort', onStop, { once: true });
    try {
      io.stderr.write(`faultline ${NAME}: waiting for ${name} on ${target.label}${shards.length ? ` shard ${shards.join('|')}` : ''}\n`);
      const event = await stream.waitForInjection(name, {
        timeout: Math.round(seconds * 1000),
        shard: shards.length ? shards : undefined,
      });
      const { seq: _seq, ...wire } = event;
      io.stdout.write(formatEventJson(wire, event.node) + '\n');
      return 0;
    } catch (err) {
      if (err instanceof WaitTimeoutError) {
        throw new CommandFailedError(`timed out after ${seconds} s: no hit of ${name} on ${target.base}`, { cause: err });
      }
      if (err instanceof StreamClosedError && io.stop.aborted) {
        throw new CommandFailedError(`interrupted before ${name} was hit`, { cause: err });
      }
      throw failure(err, target);
    } finally {
      io.stop.removeEventListener('abort', onStop);
      await stream.close();
    }
  },
};
