import { parseArgs, type ParseArgsConfig } from 'node:util';
import { INJECTION_TYPES, isInjectionType, type InjectionType } from '../event';
import { validateName } from '../injector/validate';
import { scopeProblem } from '../wire';
import { UsageError } from './errors';

type Options = NonNullable<ParseArgsConfig['options']>;

/** What `parseArgs` returns for a command: option values by name, and the positionals. */
export interface ParsedArgs {
  readonly values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  readonly positionals: string[];
}

/**
 * `util.parseArgs` in strict mode, with its TypeErrors (unknown option, missing value, ...) turned into a
 * UsageError for `command`, so every bad argument ends the same way: message, usage, exit 2.
 */
export function parseCommandArgs(command: string, args: readonly string[], options: Options): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...args],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError(plainParseArgsMessage((err as Error).message), command);
    }
    throw err;
  }
}

// parseArgs messages end with hints meant for script authors ("To specify a positional argument starting
// with a '-', place it at the end of the command after '--'..."); the first sentence is what a user needs.
function plainParseArgsMessage(message: string): string {
  const cut = message.indexOf('. To specify');
  return cut === -1 ? message : message.slice(0, cut);
}

export function stringOption(values: ParsedArgs['values'], name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function stringsOption(values: ParsedArgs['values'], name: string): string[] {
  const v = values[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).filter((x): x is string => typeof x === 'string');
}

export function flagOption(values: ParsedArgs['values'], name: string): boolean {
  return values[name] === true;
}

/** An integer option in [min, max]; `--count 1.5`, `--port x` and `--shards 0` are usage errors. */
export function integerOption(
  command: string,
  option: string,
  value: string | undefined,
  min: number,
  max = Number.MAX_SAFE_INTEGER,
): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `an integer >= ${min}` : `an integer from ${min} to ${max}`;
    throw new UsageError(`--${option} must be ${range}, not ${JSON.stringify(value)}`, command);
  }
  return n;
}

/** A finite number option in [min, max] (seconds, probabilities). */
export function numberOption(
  command: string,
  option: string,
  value: string | undefined,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number | undefined {
  if (value === undefined) return undefined;
  const n = value.trim() === '' ? NaN : Number(value);
  if (!Number.isFinite(n) || n < min || n > max) {
    const range = max === Number.POSITIVE_INFINITY ? `a number >= ${min}` : `a number from ${min} to ${max}`;
    throw new UsageError(`--${option} must be ${range}, not ${JSON.stringify(value)}`, command);
  }
  return n;
}

/** `--param k=v` options as a parameters object; the value may hold `=`, the key may not be empty. */
export function parameterOptions(command: string, pairs: readonly string[]): Record<string, string> | undefined {
  if (pairs.length === 0) return undefined;
  const parameters = new Map<string, string>();
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param must be key=value, not ${JSON.stringify(pair)}`, command);
    const key = pair.slice(0, eq);
    if (parameters.has(key)) throw new UsageError(`--param ${key} is given twice`, command);
    parameters.set(key, pair.slice(eq + 1));
  }
  // fromEntries defines own properties, so a key such as "__proto__" stays a parameter.
  return Object.fromEntries(parameters);
}

export function typeOptions(command: string, values: readonly string[]): InjectionType[] {
  return values.map((t) => {
    if (!isInjectionType(t)) {
      throw new UsageError(`--type must be one of ${INJECTION_TYPES.join(', ')}, not ${JSON.stringify(t)}`, command);
    }
    return t;
  });
}

export function shardOptions(command: string, values: readonly string[]): number[] {
  return values.map((s) => integerOption(command, 'shard', s, 0) as number);
}

/** Checks the count of positionals, naming what is missing or extra. */
export function expectPositionals(
  command: string,
  positionals: readonly string[],
  names: readonly string[],
  optional: readonly string[] = [],
): void {
  if (positionals.length < names.length) {
    throw new UsageError(`missing ${names.slice(positionals.length).join(' and ')}`, command);
  }
  if (positionals.length > names.length + optional.length) {
    const extra = positionals.slice(names.length + optional.length);
    throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''}: ${extra.join(' ')}`, command);
  }
}

/** An injection name the injector would accept; anything else is a usage error, not a 400 from the server. */
export function nameArgument(command: string, what: string, name: string): string {
  try {
    validateName(name);
  } catch (err) {
    throw new UsageError(`${what}: ${(err as Error).message}`, command);
  }
  return name;
}

export function nameOptions(command: string, option: string, names: readonly string[]): string[] {
  return names.map((n) => nameArgument(command, `--${option}`, n));
}

/** Injection scopes given with `--scope` (repeatable or not), each checked as a server checks it. */
export function scopeOptions(command: string, scopes: readonly string[]): string[] {
  for (const scope of scopes) {
    const problem = scopeProblem(scope);
    if (problem !== undefined) throw new UsageError(`--scope: ${problem}`, command);
  }
  return [...scopes];
}
