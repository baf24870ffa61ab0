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
