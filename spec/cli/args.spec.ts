import {
  expectPositionals,
  integerOption,
  nameArgument,
  numberOption,
  parameterOptions,
  parseCommandArgs,
  shardOptions,
  typeOptions,
} from '../../lib/cli/args';
import { UsageError } from '../../lib/cli/errors';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(UsageError);
    return err as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('parseCommandArgs', () => {
  const options = { json: { type: 'boolean' }, shard: { type: 'string', multiple: true } } as const;

  it('returns values and positionals', () => {
    const parsed = parseCommandArgs('watch', ['http://x', '--json', '--shard', '1', '--shard', '2'], options);
    expect(parsed.positionals).toEqual(['http://x']);
    expect(parsed.values).toEqual({ json: true, shard: ['1', '2'] });
  });

  it('turns an unknown option into a usage error of that command, with the first sentence only', () => {
    const err = usageError(() => parseCommandArgs('watch', ['--nope'], options));
    expect(err.command).toBe('watch');
    expect(err.code).toBe('ERR_FAULTLINE_USAGE');
    expect(err.message).toMatch(/Unknown option '--nope'/);
    expect(err.message).not.toMatch(/To specify/);
  });

  it('turns a missing option value into a usage error', () => {
    const err = usageError(() => parseCommandArgs('watch', ['--shard'], options));
    expect(err.message).toMatch(/--shard/);
  });

  it('turns a value given to a flag into a usage error', () => {
    usageError(() => parseCommandArgs('watch', ['--json=yes'], options));
  });
});

describe('integerOption', () => {
  it('accepts integers in range and passes undefined through', () => {
    expect(integerOption('c', 'port', '0', 0, 65535)).toBe(0);
    expect(integerOption('c', 'port', '65535', 0, 65535)).toBe(65535);
    expect(integerOption('c', 'count', undefined, 1)).toBeUndefined();
  });

  it.each(['', 'x', '1.5', '1e3', '-1', '65536', '9007199254740993'])('refuses %j with a message naming the option', (v) => {
    const err = usageError(() => integerOption('serve', 'port', v, 0, 65535));
    expect(err.message).toBe(`--port must be an integer from 0 to 65535, not ${JSON.stringify(v)}`);
    expect(err.command).toBe('serve');
  });

  it('words an open range', () => {
    expect(usageError(() => integerOption('enable', 'count', '0', 1)).message).toBe('--count must be an integer >= 1, not "0"');
  });
});

describe('numberOption', () => {
  it('accepts fractions in range', () => {
    expect(numberOption('enable', 'probability', '0.25', 0, 1)).toBe(0.25);
    expect(numberOption('wait', 'timeout', '1.5', 0.001)).toBe(1.5);
  });

  it.each(['', 'NaN', 'Infinity', '-0.1', '1.01', 'half'])('refuses %j', (v) => {
    expect(usageError(() => numberOption('enable', 'probability', v, 0, 1)).message).toMatch(/^--probability must be a number from 0 to 1/);
  });
});

describe('parameterOptions', () => {
  it('splits on the first = and keeps the rest of the value', () => {
    expect(parameterOptions('enable', ['a=1', 'b=x=y', 'c='])).toEqual({ a: '1', b: 'x=y', c: '' });
  });

  it('is undefined when there are none', () => {
    expect(parameterOptions('enable', [])).toBeUndefined();
  });

  it.each(['novalue', '=v', ''])('refuses %j', (p) => {
    expect(usageError(() => parameterOptions('enable', [p])).message).toBe(`--param must be key=value, not ${JSON.stringify(p)}`);
  });

  it('refuses a key given twice instead of silently keeping one', () => {
    expect(usageError(() => parameterOptions('enable', ['a=1', 'a=2'])).message).toBe('--param a is given twice');
  });

  it('keeps __proto__ as a plain key', () => {
    const params = parameterOptions('enable', ['__proto__=x']) as Record<string, string>;
    expect(Object.keys(params)).toEqual(['__proto__']);
    expect(params.__proto__).toBe('x');
  });
});

describe('typeOptions and shardOptions', () => {
  it('accept the four types and shard numbers', () => {
    expect(typeOptions('watch', ['sleep', 'lambda'])).toEqual(['sleep', 'lambda']);
    expect(shardOptions('watch', ['0', '3'])).toEqual([0, 3]);
  });

  it('refuse anything else', () => {
    expect(usageError(() => typeOptions('watch', ['crash'])).message).toBe(
      '--type must be one of sleep, handler, exception, lambda, not "crash"',
    );
    expect(usageError(() => shardOptions('watch', ['-1'])).message).toMatch(/^--shard must be an integer >= 0/);
  });
});

describe('nameArgument', () => {
  it('accepts a name the injector accepts', () => {
    expect(nameArgument('wait', 'NAME', 'a/b c')).toBe('a/b c');
  });

  it('refuses an empty name or one with a control character', () => {
    expect(usageError(() => nameArgument('wait', 'NAME', '')).message).toBe('NAME: injection name must not be empty');
    expect(usageError(() => nameArgument('wait', 'NAME', 'a\nb')).message).toMatch(/control character/);
  });
});

describe('expectPositionals', () => {
  it('names what is missing', () => {
    expect(usageError(() => expectPositionals('wait', ['u'], ['URL', 'NAME'])).message).toBe('missing NAME');
    expect(usageError(() => expectPositionals('wait', [], ['URL', 'NAME'])).message).toBe('missing URL and NAME');
  });

  it('names what is extra, allowing optional ones', () => {
    expect(() => expectPositionals('disable', ['u', 'n'], ['URL'], ['NAME'])).not.toThrow();
    expect(usageError(() => expectPositionals('disable', ['u', 'n', 'x', 'y'], ['URL'], ['NAME'])).message).toBe(
      'unexpected arguments: x y',
    );
  });
});
