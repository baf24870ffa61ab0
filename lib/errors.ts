// The base of every error faultline throws: a typed class with a stable `code`, as undici and Node do, so
// callers branch on `err.code` (or `instanceof`) instead of parsing messages.

export class FaultlineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
