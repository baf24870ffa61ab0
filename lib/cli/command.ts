import type { ParseArgsConfig } from 'node:util';
import type { ParsedArgs } from './args';

/** Where a command writes and what it reads from its process; passed in so nothing reaches for globals. */
export interface CliIo {
  readonly stdout: NodeJS.WritableStream & { isTTY?: boolean };
  readonly stderr: NodeJS.WritableStream & { isTTY?: boolean };
  readonly env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT or SIGTERM: long-running commands (serve, watch, wait) stop cleanly and return. */
  readonly stop: AbortSignal;
  /** How the user runs this command (`faultline`, or `node dist/cjs/cli/main.js`), for the hints it prints. */
  readonly invokedAs: string;
}

export interface Command {
  readonly name: string;
  /** One line for the command list of `faultline --help`. */
  readonly summary: string;
  /** The full text of `faultline NAME --help`. */
  readonly help: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** Resolves with the exit status; throws UsageError (exit 2) or CommandFailedError (exit 1). */
  run(args: ParsedArgs, io: CliIo): Promise<number>;
}

/** Options every command takes. */
export const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** Options every command that talks to a server takes. */
export const CLIENT_OPTIONS = { ...HELP_OPTION, token: { type: 'string' } } as const;

export const TOKEN_HELP = `  --token T            bearer token of a server started with --token (default: $FAULTLINE_TOKEN)`;

export const URL_HELP = `URL is a server's base URL, e.g. http://127.0.0.1:10000 (host:port also works, and so does any URL
the server printed, such as the dashboard's).`;
