// The base of every error faultline throws: a typed class whose `code` is a literal field of the class, as
// undici's and Node's are, so callers match a class (`instanceof`) or a stable code, never a message.

export abstract class FaultlineError extends Error {
  /** Stable identifier of the failure; each class declares its own literal. */
  abstract readonly code: string;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}
