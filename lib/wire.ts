// What both sides of the wire must agree on besides the event itself (event.ts) and the enable options
// (enable-options.ts): where the routes live, what an event id looks like, which characters never belong in a
// name or an id. Ground floor: the client imports it, so it imports nothing.

/** The base of every route, as in ScyllaDB's REST API. */
export const API_BASE_PATH = '/v2/error_injection';
/** The event stream (faultline's, and ScyllaDB's where it has one). */
export const EVENTS_PATH = API_BASE_PATH + '/events';
/** The dashboard page (faultline's). */
export const DASHBOARD_PATH = API_BASE_PATH + '/ui/';

/**
 * C0 and C1 control characters and DEL: they cannot be read in a log line and break line-based tools, so no
 * injection name or event id holds one.
 */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

// An event id is `${epoch}-${seq}`: the epoch names one ShardGroup instance (so ids from before a restart are
// recognised as foreign), the seq is the group's global hit counter.

export function formatWireId(epoch: string, seq: number): string {
  return epoch + '-' + seq;
}

/**
 * Splits a wire id; undefined for anything that is not `<epoch>-<integer>`. A seq of 0 is the position before
 * the first hit of that epoch (what an enable reports when nothing was hit yet): every hit is after it.
 */
export function parseWireId(id: string): { epoch: string; seq: number } | undefined {
  const dash = id.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const digits = id.slice(dash + 1);
  if (!/^(?:0|[1-9]\d{0,15})$/.test(digits)) return undefined;
  const seq = Number(digits);
  if (!Number.isSafeInteger(seq)) return undefined;
  return { epoch: id.slice(0, dash), seq };
}

/**
 * A stream position: the wire id of the last hit at that moment, or `<epoch>-0` before the first. Sent by a
 * faultline server in this response header of enable and disable (ScyllaDB's clients ignore it).
 */
export const POSITION_HEADER = 'faultline-position';

/** The request header a test sends its scope in to the app (`faults.headers()`; `injectionScope()`'s default). */
export const SCOPE_HEADER = 'faultline-scope';

/**
 * The epoch of an id: all before its last '-', or the whole id if it has none. Looser than parseWireId on
 * purpose: the client compares the ids of any server, and two ids of one epoch must compare equal here even
 * when they are not ours.
 */
export function epochOf(id: string): string {
  const dash = id.lastIndexOf('-');
  return dash < 0 ? id : id.slice(0, dash);
}

/** Longest scope accepted: a scope is an identifier, sent in a header, a query and every event of it. */
export const MAX_SCOPE_LENGTH = 128;

/** Printable ASCII without spaces: safe as an HTTP header value, in a URL query and in a log line, unchanged. */
const SCOPE = /^[\x21-\x7e]+$/;

/**
 * Why `scope` is not a valid injection scope, or undefined when it is. Defined here, on the ground floor, so the
 * injector, the server and the client check a scope alike.
 */
export function scopeProblem(scope: unknown): string | undefined {
  if (typeof scope !== 'string') return `a scope must be a string, got ${scope === null ? 'null' : typeof scope}`;
  if (scope.length === 0) return 'a scope must not be empty';
  if (scope.length > MAX_SCOPE_LENGTH) return `a scope is at most ${MAX_SCOPE_LENGTH} characters, got ${scope.length}`;
  if (!SCOPE.test(scope)) {
    return `a scope holds printable ASCII characters other than space (0x21 to 0x7e) only, got ${JSON.stringify(scope.slice(0, 80))}`;
  }
  return undefined;
}


/** The key of one enablement of a name: the name, and its scope if any (NUL never occurs in a name). */
export function enablementKey(name: string, scope: string | undefined): string {
  return scope === undefined ? name : name + '\u0000' + scope;
}
