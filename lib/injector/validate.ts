import type { InjectionParameters } from '../event';
import { InvalidInjectionError } from './errors';

/** Names longer than this are refused: a name is an identifier, and it travels in URLs and in every event. */
export const MAX_NAME_LENGTH = 1024;

// C0 and C1 control characters and DEL: they cannot be read in a log line and break line-based tools.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

export function validateName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new InvalidInjectionError(`injection name must be a string, got ${typeof name}`);
  if (name.length === 0) throw new InvalidInjectionError('injection name must not be empty');
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidInjectionError(`injection name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
  }
  if (CONTROL.test(name)) {
    throw new InvalidInjectionError(`injection name ${JSON.stringify(name)} contains a control character`);
  }
  if (!(name as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new InvalidInjectionError(`injection name ${JSON.stringify(name)} is not well-formed Unicode (lone surrogate)`);
  }
}

export function validateParameters(name: string, parameters: unknown): InjectionParameters {
  if (parameters === undefined) return EMPTY_PARAMETERS;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new InvalidInjectionError(`injection "${name}": parameters must be an object of strings`);
  }
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (typeof value !== 'string') {
      throw new InvalidInjectionError(
        `injection "${name}": parameter "${key}" must be a string, got ${value === null ? 'null' : typeof value}`,
      );
    }
    out[key] = value;
  }
  return Object.freeze(out);
}

export const EMPTY_PARAMETERS: InjectionParameters = Object.freeze({});

export function validateInteger(name: string, option: string, value: unknown, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidInjectionError(
      `injection "${name}": ${option} must be an integer >= ${min}, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value;
}

export function validateProbability(name: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= 0 && value <= 1)) {
    throw new InvalidInjectionError(
      `injection "${name}": probability must be a number from 0 to 1, got ${JSON.stringify(value) ?? String(value)}`,
    );
  }
  return value;
}
