import { FaultlineError } from '../errors';
import { parseCommandArgs } from './args';
import type { CliIo, Command } from './command';
import { COMMANDS } from './commands';
import { CommandFailedError, UsageError } from './errors';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function topLevelHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const list = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n');
  return `Usage: faultline <command> [options]

Error-injection points you can watch: serve a group of shards, tail their hits, wait for one, and enable,
disable or message injections on any faultline (or ScyllaDB) node.

Commands:
${list}

Run 'faultline <command> --help' for the options of one command.

Exit status: 0 done; 1 failed (server unreachable or refusing, wait timed out); 2 bad arguments.
`;
}

function findCommand(name: string): Command | undefined {
  return COMMANDS.find((c) => c.name === name);
}

/**
 * Runs one command line and resolves with its exit status. Usage errors print the message and the usage to
 * stderr (status 2); failures print one clear line (status 1); anything else is a bug and is shown in full.
 */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest[0] : undefined;
    const command = topic === undefined ? undefined : findCommand(topic);
    if (topic !== undefined && command === undefined) return usageError(io, new UsageError(`unknown command "${topic}"`));
    // No command at all is a usage error (stderr, 2); asking for help is not (stdout, 0).
    if (first === undefined) {
      io.stderr.write(topLevelHelp());
      return EXIT_USAGE;
    }
    io.stdout.write(command ? command.help : topLevelHelp());
    return EXIT_OK;
  }
  if (first === '--version' || first === '-v') {
    io.stdout.write(version() + '\n');
    return EXIT_OK;
  }
  const command = findCommand(first);
  if (command === undefined) {
    const what = first.startsWith('-') ? `unknown option "${first}"` : `unknown command "${first}"`;
    return usageError(io, new UsageError(what));
  }
  try {
    // --help wins over everything else on the line, so it works even next to a bad argument.
    if (wantsHelp(rest)) {
      io.stdout.write(command.help);
      return EXIT_OK;
    }
    const parsed = parseCommandArgs(command.name, rest, command.options);
    return await command.run(parsed, io);
  } catch (err) {
    if (err instanceof UsageError) return usageError(io, err);
    if (err instanceof CommandFailedError || err instanceof FaultlineError) {
      io.stderr.write(`faultline ${command.name}: ${err.message}\n`);
      return EXIT_FAILED;
    }
    io.stderr.write(`faultline ${command.name}: unexpected error: ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_FAILED;
  }
}

function wantsHelp(args: readonly string[]): boolean {
  for (const a of args) {
    if (a === '--') return false;
    if (a === '--help' || a === '-h') return true;
  }
  return false;
}

function usageError(io: CliIo, err: UsageError): number {
  const command = err.command === undefined ? undefined : findCommand(err.command);
  const prefix = command ? `faultline ${command.name}` : 'faultline';
  io.stderr.write(`${prefix}: ${err.message}\n\n${command ? command.help : topLevelHelp()}`);
  return EXIT_USAGE;
}

function version(): string {
  // dist/cjs/cli/run.js -> package.json at the package root; ts-jest runs lib/cli/run.ts, two levels up too.
  for (const path of ['../../../package.json', '../../package.json']) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const pkg = require(path) as { name?: string; version?: string };
      if (pkg.name === 'faultline') return `faultline ${pkg.version}`;
    } catch {
      // try the next place
    }
  }
  return 'faultline';
}

/** `faultline` when run through the installed bin, else `node <script>` relative to the working directory. */
export function invokedAs(script: string, cwd: string): string {
  if (/(^|[/\\])faultline$/.test(script)) return 'faultline';
  return 'node ' + (script.startsWith(cwd + '/') ? script.slice(cwd.length + 1) : script);
}
