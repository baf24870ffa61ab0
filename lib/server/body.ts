import type { IncomingMessage } from 'node:http';
import { BodyTooLargeError, MAX_BODY_BYTES } from './errors';

/** The request body as sent, or what a body-parsing middleware (express.json, express.text...) already made of it. */
export type RequestBody = { readonly kind: 'bytes'; readonly bytes: Buffer } | { readonly kind: 'parsed'; readonly value: unknown };

/**
 * Most bytes of a refused body read (and dropped) after the 400 is sent. Closing a socket with unread bytes in
 * it makes TCP send a reset that can reach the client before the answer; reading a body of up to this size to
 * its end lets the client read the 400. A bigger one gets Connection: close and the reset.
 */
export const MAX_DRAINED_BYTES = 16 * 1024 * 1024;

/**
 * True while a request's body is still on its way (it declares one, and it has not all arrived): such a request
 * is waiting for its client, not using the server, and must not hold a REST slot a slow client could fill.
 */
export function bodyPending(req: IncomingMessage): boolean {
  if (req.complete || req.readableEnded) return false;
  const length = req.headers['content-length'];
  return (length !== undefined && length !== '0') || req.headers['transfer-encoding'] !== undefined;
}

/** The client went away before its body arrived: there is nobody to answer. */
export class RequestAbortedError extends Error {}

/**
 * Reads the whole body, refusing one over `limit` bytes as soon as it is known to be (from Content-Length,
 * or while reading) instead of buffering it first.
 */
export function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<RequestBody> {
  const parsed = (req as IncomingMessage & { body?: unknown }).body;
  if (req.readableEnded) {
    // A middleware consumed the stream: use what it parsed (Express body parsers set req.body).
    return Promise.resolve(parsed === undefined ? { kind: 'bytes', bytes: Buffer.alloc(0) } : { kind: 'parsed', value: parsed });
  }
  const declared = Number(req.headers['content-length']);
  // Unread, the body is dropped by node:http once the answer is out (it does that for every unread body).
  if (declared > limit) return Promise.reject(new BodyTooLargeError(declared <= MAX_DRAINED_BYTES));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        dropRest(req, size);
        reject(new BodyTooLargeError(true));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve({ kind: 'bytes', bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks) });
    };
    const onError = (): void => {
      cleanup();
      reject(new RequestAbortedError('the client went away while sending the body'));
    };
    const onClose = (): void => {
      if (!req.complete) onError();
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}

/** Reads and drops what is left of a refused body, up to MAX_DRAINED_BYTES in all, then cuts the connection. */
function dropRest(req: IncomingMessage, alreadyRead: number): void {
  let size = alreadyRead;
  req.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_DRAINED_BYTES) req.socket.destroy();
  });
}
