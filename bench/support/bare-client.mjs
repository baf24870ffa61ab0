// The bare clients the benchmarks measure faultline's client against: the design's two libraries (undici and
// eventsource-parser) with nothing of faultline's on them, and the same parsing on a plain node:net socket.
import { connect } from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import { createParser } from 'eventsource-parser';
import { Agent, request } from 'undici';

/**
 * The bare client: a GET with undici's request(), the body's 'data' through eventsource-parser, JSON.parse per
 * event, `onEvent` with the decoded object. What a test would write with the design's two libraries and nothing
 * else.
 */
export async function openBare(url, onEvent) {
  const dispatcher = new Agent({ bodyTimeout: 0 });
  const { statusCode, body } = await request(url, { dispatcher, headers: { accept: 'text/event-stream' } });
  if (statusCode !== 200) throw new Error(`bare client: ${url} answered ${statusCode}`);
  const parser = createParser({ onEvent: (message) => onEvent(JSON.parse(message.data)) });
  const decoder = new StringDecoder('utf8');
  body.on('data', (chunk) => parser.feed(decoder.write(chunk)));
  body.on('error', () => {});
  return { close: () => (body.destroy(), dispatcher.destroy()) };
}

/**
 * The bare client without undici: a node:net socket, the request written by hand, the response head read up to
 * its blank line, the chunked framing taken off by a small state machine, then eventsource-parser and JSON.parse
 * as in openBare. Enough for this server's answer (200, chunked); not an HTTP client.
 */
export async function openBareNet(url, onEvent) {
  const u = new URL(url);
  const socket = connect(Number(u.port), u.hostname);
  socket.setNoDelay(true);
  await new Promise((resolve, reject) => socket.once('connect', resolve).once('error', reject));
  socket.write(`GET ${u.pathname}${u.search} HTTP/1.1\r\nhost: ${u.host}\r\naccept: text/event-stream\r\n\r\n`);
  const parser = createParser({ onEvent: (message) => onEvent(JSON.parse(message.data)) });
  const decoder = new StringDecoder('utf8');
  let head = Buffer.alloc(0);
  let state = 'head'; // head, size, data, crlf
  let size = '';
  let left = 0;
  const body = (buf) => {
    let i = 0;
    while (i < buf.length) {
      if (state === 'size') {
        const c = buf[i++];
        if (c === 0x0a) {
          left = parseInt(size, 16);
          size = '';
          if (!(left > 0)) return socket.destroy();
          state = 'data';
        } else if (c !== 0x0d) size += String.fromCharCode(c);
      } else if (state === 'data') {
        const n = Math.min(left, buf.length - i);
        parser.feed(decoder.write(buf.subarray(i, i + n)));
        i += n;
        if ((left -= n) === 0) state = 'crlf';
      } else {
        if (buf[i++] === 0x0a) state = 'size';
      }
    }
  };
  const ready = new Promise((resolve, reject) => {
    socket.on('data', (buf) => {
      if (state !== 'head') return body(buf);
      head = Buffer.concat([head, buf]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      const text = head.subarray(0, end).toString('latin1');
      if (!/^HTTP\/1\.1 200 /.test(text) || !/\r\ntransfer-encoding: chunked\r?$/im.test(text)) {
        socket.destroy();
        return reject(new Error(`bare net client: unexpected answer: ${text.split('\r\n')[0]}`));
      }
      state = 'size';
      resolve();
      body(head.subarray(end + 4));
    });
    socket.once('error', reject);
  });
  await ready;
  socket.on('error', () => {});
  return { close: () => socket.destroy() };
}
