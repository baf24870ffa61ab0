import { connect, type Socket } from 'node:net';
import { API } from './http';

/**
 * An event-stream client on a bare TCP socket, for what a well-behaved client never does: stop reading, or
 * vanish mid-stream. Resolves once the response head arrived.
 */
export function openRawStream(url: string, query = ''): Promise<{ socket: Socket; received: () => number }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    let received = 0;
    let head = '';
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${API}/events${query} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n\r\n`);
    });
    socket.on('error', () => {});
    socket.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (head !== null && !head.includes('\r\n\r\n')) {
        head += chunk.toString('latin1');
        if (head.includes('\r\n\r\n')) {
          if (!head.startsWith('HTTP/1.1 200')) reject(new Error(`not a stream: ${head}`));
          else resolve({ socket, received: () => received });
        }
      }
    });
    socket.once('close', () => reject(new Error('closed before the head arrived')));
  });
}

/**
 * A stream request on a bare TCP socket that keeps every byte of the response, for tests of the wire itself:
 * its head, and its body as sent (chunked framing included).
 */
export function collectRawResponse(
  url: string,
  { query = '', version = '1.1', headers = {} }: { query?: string; version?: string; headers?: Record<string, string> } = {},
): { socket: Socket; bytes: () => Buffer; closed: Promise<void> } {
  const { hostname, port } = new URL(url);
  const chunks: Buffer[] = [];
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
  const socket = connect(Number(port), hostname, () => {
    socket.write(`GET ${API}/events${query} HTTP/${version}\r\nHost: ${hostname}:${port}\r\nAccept: text/event-stream\r\n${extra}\r\n`);
  });
  socket.on('error', () => {});
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
  return { socket, bytes: () => Buffer.concat(chunks), closed };
}

/** Splits a response into its head and body (undefined until the head is complete). */
export function splitResponse(bytes: Buffer): { head: string; body: Buffer } | undefined {
  const end = bytes.indexOf('\r\n\r\n');
  return end < 0 ? undefined : { head: bytes.subarray(0, end).toString('latin1'), body: bytes.subarray(end + 4) };
}

/**
 * The chunks of a chunked body, strictly: every size line must be hex and every chunk end with CRLF where its
 * size says. `complete` is true when the terminating zero-size chunk was read; an incomplete last chunk is left out.
 */
export function decodeChunked(body: Buffer): { chunks: string[]; complete: boolean } {
  const chunks: string[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = body.indexOf('\r\n', at);
    if (lineEnd < 0) return { chunks, complete: false };
    const sizeLine = body.subarray(at, lineEnd).toString('latin1');
    if (!/^[0-9a-f]+$/i.test(sizeLine)) throw new Error(`bad chunk size line ${JSON.stringify(sizeLine)} at byte ${at}`);
    const size = parseInt(sizeLine, 16);
    const dataEnd = lineEnd + 2 + size;
    if (body.length < dataEnd + 2) return { chunks, complete: false };
    if (body.subarray(dataEnd, dataEnd + 2).toString('latin1') !== '\r\n') {
      throw new Error(`chunk of ${size} bytes at byte ${at} does not end with CRLF`);
    }
    if (size === 0) return { chunks, complete: true };
    chunks.push(body.subarray(lineEnd + 2, dataEnd).toString('utf8'));
    at = dataEnd + 2;
  }
}
