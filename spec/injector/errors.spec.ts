import { FaultlineError } from '../../lib/errors';
import {
  HandlerAbortedError,
  HandlerTimeoutError,
  InjectedError,
  InjectionParameterError,
  InjectionsOffError,
  InvalidInjectionError,
} from '../../lib/injector/errors';
import { expectError } from '../helpers/expect-error';

// Callers branch on `code` or `instanceof`; both, and the wording, are part of the public contract.
describe('injector errors', () => {
  test.each([
    [
      new InjectedError('x'),
      InjectedError,
      { code: 'ERR_FAULTLINE_INJECTED', injection: 'x', message: 'injected error from injection "x"' },
    ],
    [new InvalidInjectionError('why'), InvalidInjectionError, { code: 'ERR_FAULTLINE_INVALID', message: 'why' }],
    [
      new InjectionsOffError('x', 'because'),
      InjectionsOffError,
      {
        code: 'ERR_FAULTLINE_OFF',
        injection: 'x',
        reason: 'because',
        message: 'cannot enable injection "x": error injection is switched off (because)',
      },
    ],
    [
      new HandlerTimeoutError('x', 20),
      HandlerTimeoutError,
      {
        code: 'ERR_FAULTLINE_HANDLER_TIMEOUT',
        injection: 'x',
        timeout: 20,
        message: 'injection "x": waitForMessage timed out after 20 ms with no message',
      },
    ],
    [
      new HandlerAbortedError('x', 'reason'),
      HandlerAbortedError,
      { code: 'ERR_FAULTLINE_HANDLER_ABORTED', injection: 'x', cause: 'reason', message: 'injection "x": waitForMessage was aborted' },
    ],
    [
      new InjectionParameterError('x', 'p', 'v', 'a number'),
      InjectionParameterError,
      {
        code: 'ERR_FAULTLINE_PARAMETER',
        injection: 'x',
        parameter: 'p',
        value: 'v',
        message: 'injection "x": parameter "p" is "v", not a number',
      },
    ],
  ] as const)('%s', (err, errorClass, fields) => {
    expectError(err, errorClass, fields);
    expect(err).toBeInstanceOf(FaultlineError);
    expect(err).toBeInstanceOf(Error);
    expect(err.stack).toContain(errorClass.name);
  });
});
