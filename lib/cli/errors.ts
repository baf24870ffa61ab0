import { FaultlineError } from '../errors';

/** Bad arguments: the command prints the message and its usage and exits 2. */
export class UsageError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_USAGE' as const;

  constructor(
    message: string,
    /** The command whose usage to print; undefined for the top-level usage. */
    readonly command?: string,
  ) {
    super(message);
  }
}

/** A command that ran and failed (server unreachable, refused, timed out): it prints the message and exits 1. */
export class CommandFailedError extends FaultlineError {
  override readonly code = 'ERR_FAULTLINE_COMMAND_FAILED' as const;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
