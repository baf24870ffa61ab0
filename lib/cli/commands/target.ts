import { stringOption, type ParsedArgs } from '../args';
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

/** Turns what the client threw into a one-line failure (exit 1) that names the server. */
export function failure(err: unknown, target: Target): CommandFailedError {
  const code = (err as { code?: unknown }).code;
  const message = (err as Error)?.message ?? String(err);
  if (code === 'ERR_FAULTLINE_NETWORK') {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const why = cause?.code ?? cause?.message ?? message;
    return new CommandFailedError(`cannot reach ${target.base} (${why})`, { cause: err });
  }
  if (code === 'ERR_FAULTLINE_HTTP') {
    const status = (err as { status?: number }).status;
    const said = (err as { serverMessage?: string }).serverMessage;
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
