import type { EnableOptions } from '../enable-options';
import type { ErrorInjector } from './error-injector';
import { InjectionSpecError, InvalidInjectionError } from './errors';
import { validateEnable, validateScalarOptions } from './validate';

// Injections enabled before any API is up, from `FAULTLINE_INJECTIONS` or `faultline serve --enable`. Two forms:
//
//   name;name2=TERM;...    the failpoint family's grammar (gofail, fail-rs) where it fits ours
//   {"name": {...}}        JSON: each value is the options object of `enable`
//
//   TERM     = MODIFIER* [ '(' key=value [, key=value]* ')' ]
//   MODIFIER = P%           probability, in percent (0 to 100)
//            | N*           count: fire N times, then disable
//            | once         one-shot
//            | skipN        let the first N reaches pass
//            | seedN        seed of the probability's generator
//
// e.g. `orders.slow=25%3*(ms=200);orders.pause=once`. A value may be a JSON string ("a,b;c") to hold
// `,` `)` `;` or spaces. The whole text is read and checked before anything is enabled: one bad entry stops
// it with an error naming the source, the entry and the position, and nothing is half-applied.

/** One injection to enable: its name and its options. */
export type InjectionSpecEntry = readonly [name: string, options: EnableOptions];

/**
 * Reads `text` (from `source`, named in errors) into the injections it enables, in order. Throws
 * InjectionSpecError on the first mistake; an empty text enables nothing.
 */
export function parseInjectionSpec(text: string, source: string): InjectionSpecEntry[] {
  const entries = text.trimStart().startsWith('{') ? parseJsonSpec(text, source) : new TermReader(text, source).entries();
  const seen = new Set<string>();
  for (const [name] of entries) {
    if (seen.has(name)) throw new InjectionSpecError(source, `injection ${JSON.stringify(name)} is given twice`);
    seen.add(name);
  }
  return entries;
}

/**
 * Enables on `injector` every injection `text` names, or none: the text is checked whole first, and an
 * injector that is switched off refuses it (a start-up enable that silently did nothing would be worse).
 */
export function enableFromSpec(injector: ErrorInjector, text: string, source: string): InjectionSpecEntry[] {
  const entries = parseInjectionSpec(text, source);
  if (entries.length > 0 && !injector.enabled) {
    throw new InjectionSpecError(source, `it enables ${entries.map(([n]) => JSON.stringify(n)).join(', ')}, but error injection is switched off here (FAULTLINE=off?)`);
  }
  for (const [name, options] of entries) injector.enable(name, options);
  return entries;
}

function parseJsonSpec(text: string, source: string): InjectionSpecEntry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new InjectionSpecError(source, `not valid JSON: ${(err as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InjectionSpecError(source, 'the JSON form must be an object of {"name": {options}}');
  }
  return Object.entries(parsed).map(([name, options]) => {
    checked(source, `entry ${JSON.stringify(name)}`, name, options);
    return [name, options as EnableOptions] as const;
  });
}

/** Runs the checks `enable` makes, naming where in the spec the entry stands. */
function checked(source: string, where: string, name: string, options: unknown): void {
  try {
    validateEnable(name, options);
  } catch (err) {
    if (err instanceof InvalidInjectionError) throw new InjectionSpecError(source, `${where}: ${err.message}`);
    throw err;
  }
}

const NUMBER = /^\d+(?:\.\d+)?/;
const INTEGER = /^\d+/;

/** A cursor over the term form; `pos` is 0-based, errors report it 1-based as "character N". */
class TermReader {
  private pos = 0;
  private entryStart = 0;

  constructor(
    private readonly text: string,
    private readonly source: string,
  ) {}

  entries(): InjectionSpecEntry[] {
    const out: InjectionSpecEntry[] = [];
    while (this.pos < this.text.length) {
      this.entryStart = this.pos;
      const entry = this.entry();
      if (entry !== undefined) out.push(entry);
      if (this.pos < this.text.length) this.expect(';');
    }
    return out;
  }

  private entry(): InjectionSpecEntry | undefined {
    const nameEnd = this.until(/[=;]/);
    const name = this.text.slice(this.pos, nameEnd).trim();
    this.pos = nameEnd;
    if (name === '') {
      if (this.peek() === '=') this.fail('an entry starts with a name');
      return undefined; // nothing between two ';' (or a trailing one)
    }
    const options: EnableOptions = {};
    if (this.peek() === '=') {
      this.pos++;
      this.term(name, options);
    }
    this.skipSpaces();
    if (this.pos < this.text.length && this.peek() !== ';') this.fail(`expected ';' or the end after ${JSON.stringify(name)}'s term`);
    // Each modifier was checked where it stands; what is left (the name, the parameters) belongs to the entry.
    checked(this.source, `${this.where()}, character ${this.entryStart + 1}`, name, options);
    return [name, options];
  }

  private term(name: string, options: EnableOptions): void {
    for (;;) {
      this.skipSpaces();
      const rest = this.text.slice(this.pos);
      const start = this.pos;
      let m: RegExpExecArray | null;
      if ((m = NUMBER.exec(rest)) !== null) {
        this.pos += m[0].length;
        const unit = this.peek();
        if (unit === '%') {
          const percent = Number(m[0]);
          if (percent > 100) this.fail(`a probability is 0% to 100%, got ${m[0]}%`, start);
          this.set(name, options, 'probability', percent / 100, start);
        } else if (unit === '*') {
          if (m[0].includes('.')) this.fail(`a count is a whole number, got ${m[0]}`, start);
          this.set(name, options, 'count', Number(m[0]), start);
        } else {
          this.fail(`expected '%' (probability) or '*' (count) after ${m[0]}`);
        }
        this.pos++;
      } else if (rest.startsWith('once')) {
        this.set(name, options, 'oneShot', true, start);
        this.pos += 4;
      } else if (rest.startsWith('skip') || rest.startsWith('seed')) {
        const key = rest.startsWith('skip') ? 'skip' : 'seed';
        this.pos += 4;
        const digits = INTEGER.exec(this.text.slice(this.pos));
        if (digits === null) this.fail(`expected a whole number after '${key}' (e.g. ${key}2)`);
        this.pos += digits[0].length;
        this.set(name, options, key, Number(digits[0]), start);
      } else if (this.peek() === '(') {
        this.pos++;
        options.parameters = this.parameters();
        return;
      } else {
        return;
      }
    }
  }

  private parameters(): Record<string, string> {
    const pairs: Array<[string, string]> = [];
    const keys = new Set<string>();
    this.skipSpaces();
    if (this.peek() === ')') {
      this.pos++;
      return {};
    }
    for (;;) {
      this.skipSpaces();
      const keyStart = this.pos;
      const keyEnd = this.until(/[=,);]/);
      const key = this.text.slice(keyStart, keyEnd).trim();
      this.pos = keyEnd;
      if (key === '') this.fail('expected a parameter name (key=value)');
      if (keys.has(key)) this.fail(`parameter ${JSON.stringify(key)} is given twice`, keyStart);
      keys.add(key);
      this.expect('=');
      this.skipSpaces();
      pairs.push([key, this.value()]);
      this.skipSpaces();
      const next = this.peek();
      if (next !== ')' && next !== ',') this.fail("expected ',' or ')' after a parameter");
      this.pos++;
      // fromEntries defines own properties, so a key such as "__proto__" stays data.
      if (next === ')') return Object.fromEntries(pairs);
    }
  }

  private value(): string {
    if (this.peek() !== '"') {
      const end = this.until(/[,);]/);
      const value = this.text.slice(this.pos, end).trim();
      this.pos = end;
      return value;
    }
    // A JSON string: find its closing quote (skipping escapes), then let JSON.parse read the escapes.
    const start = this.pos;
    let i = start + 1;
    while (i < this.text.length && this.text[i] !== '"') i += this.text[i] === '\\' ? 2 : 1;
    if (i >= this.text.length) this.fail('a quoted value is not closed', start);
    this.pos = i + 1;
    try {
      return JSON.parse(this.text.slice(start, i + 1)) as string;
    } catch (err) {
      return this.fail(`a quoted value is not a valid JSON string: ${(err as Error).message}`, start);
    }
  }

  private set(
    name: string,
    options: EnableOptions,
    key: 'probability' | 'count' | 'oneShot' | 'skip' | 'seed',
    value: number | boolean,
    at: number,
  ): void {
    if (options[key] !== undefined) this.fail(`${key} is given twice`, at);
    try {
      validateScalarOptions(name, { [key]: value });
    } catch (err) {
      if (err instanceof InvalidInjectionError) this.fail(err.message, at);
      throw err;
    }
    (options as Record<string, unknown>)[key] = value;
  }

  private peek(): string | undefined {
    return this.text[this.pos];
  }

  private skipSpaces(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }

  /** The index of the first character from `pos` matching `stop`, or the end. */
  private until(stop: RegExp): number {
    for (let i = this.pos; i < this.text.length; i++) if (stop.test(this.text[i])) return i;
    return this.text.length;
  }

  private expect(ch: string): void {
    if (this.peek() !== ch) this.fail(`expected '${ch}'`);
    this.pos++;
  }

  private where(): string {
    const end = this.until(/;/);
    return `entry ${JSON.stringify(this.text.slice(this.entryStart, Math.max(end, this.pos)).trim())}`;
  }

  private fail(message: string, at = this.pos): never {
    const found = at < this.text.length ? `found ${JSON.stringify(this.text[at])}` : 'found the end';
    throw new InjectionSpecError(this.source, `${this.where()}, character ${at + 1} (${found}): ${message}`);
  }
}
