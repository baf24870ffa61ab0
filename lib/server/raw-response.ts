import { STATUS_CODES } from 'node:http';

/**
 * A whole JSON error answer as raw HTTP/1.1 bytes, for the places where Node gives a socket rather than a
 * response (a request it could not parse, CONNECT, a connection over the cap); it always closes the connection.
 */
export function rawJsonResponse(status: number, code: string, message: string, headers: Record<string, string> = {}): string {
  const body = JSON.stringify({ message, code });
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  for (const [name, value] of Object.entries(headers)) head += `${name}: ${value}\r\n`;
  return `${head}connection: close\r\n\r\n${body}`;
}

/** The answer to a request Node could not take: headers too large (431), too slow (408), or malformed (400). */
export function clientErrorResponse(err: NodeJS.ErrnoException): string {
  if (err.code === 'HPE_HEADER_OVERFLOW') return rawJsonResponse(431, 'ERR_FAULTLINE_BAD_HTTP', `malformed HTTP request: ${err.message}`);
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return rawJsonResponse(
      408,
      'ERR_FAULTLINE_REQUEST_TIMEOUT',
      'the request did not arrive in time (headers within headersTimeoutMs, the whole request within requestTimeoutMs)',
    );
  }
  return rawJsonResponse(400, 'ERR_FAULTLINE_BAD_HTTP', `malformed HTTP request: ${err.message}`);
}
