import type { ParsedArgs } from '../args';
import type { CliIo, Command } from '../command';
import { UsageError } from '../errors';
import { withApi } from './api-call';
import { DEFAULT_PORT, DEMO_HELP, parseServeOptions, serveUntilStopped, SERVE_OPTIONS } from './serve';

const NAME = 'demo';
const { watch: _watch, demo: _demo, ...DEMO_OPTIONS } = SERVE_OPTIONS;
const DEMO_SHARDS = 4;

/** The trickle the demo starts with, so its watch shows hits before anyone enables anything. */
const STARTER = { name: 'demo_lambda', probability: 0.05, parameters: { from: 'demo' } } as const;

export const demoCommand: Command = {
  name: NAME,
  summary: "serve --demo with a live watch on it (what 'npm run demo' runs)",
  options: DEMO_OPTIONS,
  help: `Usage: faultline demo [--host 127.0.0.1] [--port ${DEFAULT_PORT}] [--shards ${DEMO_SHARDS}] [--token T] [--json]

The main job in one command: a server of ${DEMO_SHARDS} shards running the demo workload, and a live watch on
it. It starts ${STARTER.name} at probability ${STARTER.probability} so hits flow at once; enable more from another
terminal or from the dashboard. Ctrl-C stops everything.

Options:
  --host HOST          address to listen on (default 127.0.0.1)
  --port PORT          port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --shards N           shards in the group: the main thread plus N-1 worker threads (default ${DEMO_SHARDS})
  --token T            require "Authorization: Bearer T" on every request (default: $FAULTLINE_TOKEN)
  --json               print the hits as one JSON object per line
  -h, --help           show this help

${DEMO_HELP}
`,
  async run(args: ParsedArgs, io: CliIo): Promise<number> {
    if (args.positionals.length > 0) throw new UsageError(`unexpected argument: ${args.positionals.join(' ')}`, NAME);
    const options = parseServeOptions(NAME, args.values, io.env, { shards: DEMO_SHARDS, demo: true });
    return serveUntilStopped(options, { on: true, json: args.values.json === true }, io, async (server) => {
      const target = { base: server.url, label: new URL(server.url).host, token: options.token };
      await withApi(target, (api) =>
        api.enable(STARTER.name, { probability: STARTER.probability, parameters: { ...STARTER.parameters } }),
      );
      io.stderr.write(`faultline ${NAME}: enabled ${STARTER.name} at probability ${STARTER.probability}; its hits follow\n`);
    });
  },
};
