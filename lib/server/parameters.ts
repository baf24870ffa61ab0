import { BadBodyError, BadJsonError, JsonTooDeepError } from './errors';
import type { RequestBody } from './body';
import { jsonNestsDeeperThan, MAX_JSON_DEPTH } from './json-depth';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * The injection parameters of a `POST /injection/{name}` body, as ScyllaDB reads them: an empty body means
 * none; otherwise a JSON object whose string values are taken as they are and whose other values become their
 * JSON text (`42` -> `"42"`, `true` -> `"true"`, `{"a":1}` -> `'{"a":1}'`). Returns undefined for no body.
 */
export function parametersFromBody(body: RequestBody): Record<string, string> | undefined {
  let value: unknown;
  if (body.kind === 'parsed') {
    value = body.value;
    if (typeof value === 'string' || Buffer.isBuffer(value)) value = parseJson(value);
    // express.json() gives {} for an empty body; an empty object and no body mean the same here.
  } else {
    if (body.bytes.length === 0) return undefined;
    value = parseJson(body.bytes);
  }
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const got = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`;
    throw new BadBodyError(
      `Failed to parse injections parameters: the body must be a JSON object of parameters, got ${got}`,
    );
  }
  // fromEntries defines own properties, so a key such as "__proto__" stays a parameter.
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]),
  );
}

function parseJson(input: string | Buffer): unknown {
  let text: string;
  if (typeof input === 'string') {
    if (input === '') return undefined;
    text = input;
  } else {
    if (input.length === 0) return undefined;
    try {
      text = utf8.decode(input);
    } catch {
      throw badJson('the body is not valid UTF-8');
    }
  }
  if (jsonNestsDeeperThan(text, MAX_JSON_DEPTH)) {
    throw new JsonTooDeepError(
      `Failed to parse injections parameters: the body nests arrays or objects more than ${MAX_JSON_DEPTH} levels deep`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badJson((err as Error).message);
  }
}

function badJson(reason: string): BadJsonError {
  return new BadJsonError(`Failed to parse injections parameters: ${reason}`);
}
