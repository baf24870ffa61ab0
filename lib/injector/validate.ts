import { ENABLE_OPTION_NAMES, SCALAR_OPTION_NAMES, scalarOption, type EnableOptions } from '../enable-options';
import type { InjectionParameters } from '../event';
import { CONTROL_CHARACTER, scopeProblem } from '../wire';
import { InvalidInjectionError } from './errors';

/** Names longer than this are refused: a name is an identifier, and it travels in URLs and in every event. */
export const MAX_NAME_LENGTH = 1024;

/** A value as it reads in an error message; JSON.stringify alone shows NaN and Infinity as "null". */
export function describeValue(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'symbol') return String(value);
  if (typeof value === 'function') return 'a function';
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export function validateName(name: unknown): asserts name is string {
  if (typeof name !== 'string') throw new InvalidInjectionError(`injection name must be a string, got ${typeof name}`);
  if (name.length === 0) throw new InvalidInjectionError('injection name must not be empty');
  if (name.length > MAX_NAME_LENGTH) {
    throw new InvalidInjectionError(`injection name is ${name.length} characters long; the limit is ${MAX_NAME_LENGTH}`);
  }
  if (CONTROL_CHARACTER.test(name)) {
    throw new InvalidInjectionError(`injection name ${JSON.stringify(name)} contains a control character`);
  }
  if (!(name as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new InvalidInjectionError(`injection name ${JSON.stringify(name)} is not well-formed Unicode (lone surrogate)`);
  }
}

/**
 * Copies parameters into a frozen plain object. Only plain objects are taken: a Map or a class instance
 * would otherwise pass as an object with no entries and its values would be silently dropped.
 */
export function validateParameters(name: string, parameters: unknown): InjectionParameters {
  if (parameters === undefined) return EMPTY_PARAMETERS;
  if (!isPlainObject(parameters)) {
    throw new InvalidInjectionError(
      `injection "${name}": parameters must be a plain object of strings, got ${kindOf(parameters)}`,
    );
  }
  const entries = Object.entries(parameters);
  for (const [key, value] of entries) {
    if (typeof value !== 'string') {
      throw new InvalidInjectionError(
        `injection "${name}": parameter "${key}" must be a string, got ${value === null ? 'null' : typeof value}`,
      );
    }
  }
  if (entries.length === 0) return EMPTY_PARAMETERS;
  // fromEntries defines own properties, so a key such as "__proto__" is kept as data instead of being lost.
  return Object.freeze(Object.fromEntries(entries) as Record<string, string>);
}

export const EMPTY_PARAMETERS: InjectionParameters = Object.freeze({});

export function validateInteger(
  name: string,
  option: string,
  value: unknown,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new InvalidInjectionError(`injection "${name}": ${option} must be an integer ${range}, got ${describeValue(value)}`);
  }
  return value;
}

export function validateFraction(name: string, option: string, value: unknown, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !(value >= min && value <= max)) {
    throw new InvalidInjectionError(
      `injection "${name}": ${option} must be a number from ${min} to ${max}, got ${describeValue(value)}`,
    );
  }
  return value;
}

export function validateBoolean(name: string, option: string, value: unknown): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'boolean') {
    throw new InvalidInjectionError(`injection "${name}": ${option} must be a boolean, got ${describeValue(value)}`);
  }
  return value;
}

/**
 * Checks a name and the options of an enable, all before anything changes: the first bad one throws
 * InvalidInjectionError naming the injection, the option and the value.
 */
export function validateEnable(
  name: unknown,
  options: unknown,
): Omit<EnableOptions, 'parameters'> & { readonly parameters: InjectionParameters } {
  validateName(name);
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new InvalidInjectionError(`injection "${name}": options must be an object, got ${describeValue(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(ENABLE_OPTION_NAMES as readonly string[]).includes(key) && (options as Record<string, unknown>)[key] !== undefined) {
      throw new InvalidInjectionError(`injection "${name}": unknown option "${key}" (known: ${ENABLE_OPTION_NAMES.join(', ')})`);
    }
  }
  const scalars = validateScalarOptions(name, options as EnableOptions);
  return { ...scalars, parameters: validateParameters(name, (options as EnableOptions).parameters) };
}

/**
 * Checks every option of an enable but `parameters` against its spec in ENABLE_OPTIONS: the first bad one
 * throws InvalidInjectionError naming the injection, the option and the value.
 */
export function validateScalarOptions(name: string, options: EnableOptions): Omit<EnableOptions, 'parameters'> {
  const out: Record<string, number | boolean | string> = {};
  for (const key of SCALAR_OPTION_NAMES) {
    const spec = scalarOption(key);
    const value: unknown = options[key];
    let valid: number | boolean | string | undefined;
    switch (spec.kind) {
      case 'boolean':
        valid = validateBoolean(name, key, value);
        break;
      case 'integer':
        valid = validateInteger(name, key, value, spec.min ?? 0, spec.max);
        break;
      case 'fraction':
        valid = validateFraction(name, key, value, spec.min ?? 0, spec.max ?? 1);
        break;
      case 'string':
        valid = validateScopeOption(name, key, value);
        break;
    }
    if (valid !== undefined) out[key] = valid;
  }
  return out;
}

/** The one string option is a scope: it must be a valid scope (see scope.ts). */
export function validateScopeOption(name: string, option: string, value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const problem = scopeProblem(value);
  if (problem !== undefined) throw new InvalidInjectionError(`injection "${name}": ${option}: ${problem}`);
  return value as string;
}

/** A timeout in ms: a number >= 0 (Infinity allowed: no timer). */
export function validateTimeout(what: string, value: unknown): number {
  if (typeof value !== 'number' || !(value >= 0)) {
    throw new InvalidInjectionError(`${what} must be a number of milliseconds >= 0, got ${describeValue(value)}`);
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return `a ${(value as object).constructor?.name ?? 'non-plain object'}`;
  return typeof value;
}
