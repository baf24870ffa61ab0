// Runs `fn` and returns what it threw, failing the test when it throws nothing. Lets a test assert the class,
// the `code` and the exact message of an error in one place, instead of `toThrow`, which checks only one.

export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected an error to be thrown, but nothing was thrown');
}

export function expectError(
  err: unknown,
  errorClass: abstract new (...args: never[]) => Error,
  fields: { code: string; message: string | RegExp; [field: string]: unknown },
): void {
  expect(err).toBeInstanceOf(errorClass);
  const { message, ...rest } = fields;
  expect(err).toMatchObject({ name: errorClass.name, ...rest });
  if (typeof message === 'string') expect((err as Error).message).toBe(message);
  else expect((err as Error).message).toMatch(message);
}
