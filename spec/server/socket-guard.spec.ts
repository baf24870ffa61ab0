import { InvalidServerOptionError } from '../../lib/server/errors';
import { BadQueryError, ServiceUnavailableError } from '../../lib/server/errors';
import { clientErrorResponse, rawJsonResponse } from '../../lib/server/raw-response';
import { resolveSocketLimits, timeoutServerOptions } from '../../lib/server/socket-guard';
import { createInjectionServer } from '../../lib/server';

describe('resolveSocketLimits', () => {
  test('defaults: 4096 sockets, 10 s for the headers and for the whole request, checked every second', () => {
    const limits = resolveSocketLimits({});
    expect(limits).toEqual({ maxSockets: 4096, headersTimeoutMs: 10_000, requestTimeoutMs: 10_000 });
    expect(timeoutServerOptions(limits)).toEqual({ headersTimeout: 10_000, requestTimeout: 10_000, connectionsCheckingInterval: 1000 });
  });

  test('refuses values that cannot be used, before anything listens', async () => {
    expect(() => resolveSocketLimits({ maxSockets: 0 })).toThrow('maxSockets must be an integer from 1 to');
    expect(() => resolveSocketLimits({ headersTimeoutMs: 1.5 })).toThrow(InvalidServerOptionError);
    expect(() => resolveSocketLimits({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).toThrow(
      'headersTimeoutMs (5000) must not be more than requestTimeoutMs (1000)',
    );
    await expect(createInjectionServer({ port: 0, requestTimeoutMs: 0 })).rejects.toThrow(InvalidServerOptionError);
  });
});

describe('rawJsonResponse', () => {
  test('a whole HTTP/1.1 answer with a JSON body that closes the connection', () => {
    const text = rawJsonResponse(new ServiceUnavailableError('wait'));
    const body = '{"message":"wait","code":"ERR_FAULTLINE_UNAVAILABLE"}';
    expect(text).toBe(
      `HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncontent-length: ${body.length}\r\nretry-after: 1\r\nconnection: close\r\n\r\n${body}`,
    );
    // Bytes, not characters: é is two.
    expect(rawJsonResponse(new BadQueryError('é'))).toContain(`content-length: ${'{"message":"é","code":"ERR_FAULTLINE_BAD_QUERY"}'.length + 1}\r\n`);
  });
});

describe('clientErrorResponse', () => {
  const error = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });
  test('431 for headers too large, 408 for a request too slow, 400 for the rest', () => {
    expect(clientErrorResponse(error('HPE_HEADER_OVERFLOW', 'Header overflow'))).toMatch(/^HTTP\/1\.1 431 Request Header Fields Too Large\r\n/);
    const slow = clientErrorResponse(error('ERR_HTTP_REQUEST_TIMEOUT', 'Request timeout'));
    expect(slow).toMatch(/^HTTP\/1\.1 408 Request Timeout\r\n/);
    expect(slow).toContain('"code":"ERR_FAULTLINE_REQUEST_TIMEOUT"');
    const bad = clientErrorResponse(error('HPE_INVALID_METHOD', 'Invalid method encountered'));
    expect(bad).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(bad).toContain('{"message":"malformed HTTP request: Invalid method encountered","code":"ERR_FAULTLINE_BAD_HTTP"}');
  });
});
