import { STATUS_CODES } from 'node:http';
import { MalformedRequestError, RequestTimeoutError, type RequestRefusedError } from './errors';

/**
 * A refusal as a whole raw HTTP/1.1 answer with its JSON body, for the places where Node gives a socket rather
 * than a response (a request it could not parse, CONNECT, a connection over the cap); it always closes the
 * connection.
 */
export function rawJsonResponse(error: RequestRefusedError): string {
  const { status, code, message, headers } = error;
  const body = JSON.stringify({ message, code });
  let head = `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\ncontent-type: application/json\r\nx-content-type-options: nosniff\r\ncontent-length: ${Buffer.byteLength(body)}\r\n`;
  for (const [name, value] of Object.entries(headers)) if (name !== 'connection') head += `${name}: ${value}\r\n`;
  return `${head}connection: close\r\n\r\n${body}`;
}

/** The answer to a request Node could not take: headers too large (431), too slow (408), or malformed (400). */
export function clientErrorResponse(err: NodeJS.ErrnoException): string {
  if (err.code === 'HPE_HEADER_OVERFLOW') return rawJsonResponse(new MalformedRequestError(431, `malformed HTTP request: ${err.message}`));
  if (err.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return rawJsonResponse(
      new RequestTimeoutError(
        'the request did not arrive in time (headers within headersTimeoutMs, the whole request within requestTimeoutMs)',
      ),
    );
  }
  return rawJsonResponse(new MalformedRequestError(400, `malformed HTTP request: ${err.message}`));
}
