import { HttpError, NetworkError } from '../../client';
import { expectPositionals, nameArgument, stringOption, type ParsedArgs } from '../args';
import { CommandFailedError } from '../errors';
import { nodeLabel, parseNodeUrl } from '../node-url';

/** A server a client command talks to. */
export interface Target {
  /** Base URL without a trailing slash. */
  readonly base: string;
  /** host:port, what lines and messages call it. */
  readonly label: string;
  readonly token: string | undefined;
}

/** The token comes from --token, else the URL's own `?token=`, else FAULTLINE_TOKEN. */
export function resolveTarget(command: string, url: string, values: ParsedArgs['values'], env: NodeJS.ProcessEnv): Target {
  const parsed = parseNodeUrl(command, url);
  const token = stringOption(values, 'token') ?? parsed.token ?? (env.FAULTLINE_TOKEN || undefined);
  return { base: parsed.base, label: nodeLabel(parsed.base), token };
}

/** The `URL NAME` of a command that acts on one injection (enable, message, wait), checked. */
export function namedTarget(command: string, args: ParsedArgs, env: NodeJS.ProcessEnv): { target: Target; name: string } {
  const { values, positionals } = args;
  expectPositionals(command, positionals, ['URL', 'NAME']);
  return { target: resolveTarget(command, positionals[0], values, env), name: nameArgument(command, 'NAME', positionals[1]) };
}

/** Turns what the client threw into a one-line failure (exit 1) that names the server. */
export function failure(err: unknown, target: Target): CommandFailedError {
  const message = (err as Error)?.message ?? String(err);
  if (err instanceof NetworkError) {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    const why = cause?.code ?? cause?.message ?? message;
    return new CommandFailedError(`cannot reach ${target.base} (${why})`, { cause: err });
  }
  if (err instanceof HttpError) {
    const { status, serverMessage: said } = err;
    if (status === 401) {
      return new CommandFailedError(
        `${target.base} refused the request (401): ${said ?? 'a token is required'}; pass --token or set FAULTLINE_TOKEN`,
        { cause: err },
      );
    }
    return new CommandFailedError(`${target.base} answered ${status}: ${said ?? message}`, { cause: err });
  }
  return new CommandFailedError(message, { cause: err });
}
