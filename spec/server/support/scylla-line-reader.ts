import { request } from 'undici';

/** aiohttp's StreamReader line limit (2 ** 17), what ScyllaDB's reader (`resp.content` line by line) runs into. */
export const AIOHTTP_LINE_LIMIT = 128 * 1024;

/**
 * Reads an event stream the way ScyllaDB's Python `InjectionEventStream` does: line by line, stripped; lines
 * starting `data: ` are JSON-parsed as events, lines starting `:` are skipped, anything else is ignored. It
 * never sends Last-Event-ID and knows nothing of `event:` names, so every `data:` line must be a hit. Like
 * aiohttp, it gives up on a line over AIOHTTP_LINE_LIMIT bytes (`LineTooLong`): its reader ends, and so does
 * every wait on it.
 */
export class ScyllaLineReader {
  readonly events: Record<string, unknown>[] = [];
  /** Bytes of the longest line seen, its newline excluded. */
  longestLine = 0;
  /** Set when the reader ended as aiohttp's would. */
  failure: string | undefined;
  private readonly abort = new AbortController();

  static async connect(url: string): Promise<ScyllaLineReader> {
    const reader = new ScyllaLineReader();
    const res = await request(url, { signal: reader.abort.signal });
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    let buffered = Buffer.alloc(0);
    res.body.on('data', (chunk: Buffer) => {
      if (reader.failure !== undefined) return;
      buffered = Buffer.concat([buffered, chunk]);
      let nl: number;
      while ((nl = buffered.indexOf(0x0a)) !== -1) {
        reader.longestLine = Math.max(reader.longestLine, nl);
        if (nl > AIOHTTP_LINE_LIMIT) return reader.fail(`LineTooLong: ${nl} bytes`);
        const line = buffered.subarray(0, nl).toString('utf8').trim();
        buffered = buffered.subarray(nl + 1);
        if (line.startsWith('data: ')) reader.events.push(JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
      }
      if (buffered.length > AIOHTTP_LINE_LIMIT) reader.fail(`LineTooLong: over ${buffered.length} bytes`);
    });
    res.body.on('error', () => {});
    return reader;
  }

  /** Like `wait_for_injection(name)`: events for other names are thrown away. */
  async waitForInjection(name: string, deadlineMs = 20_000): Promise<Record<string, unknown>> {
    const start = Date.now();
    for (;;) {
      const event = this.events.shift();
      if (event !== undefined) {
        if (event.injection === name) return event;
        continue;
      }
      if (this.failure !== undefined) throw new Error(`wait_for_injection(${name}): the reader ended: ${this.failure}`);
      if (Date.now() - start > deadlineMs) throw new Error(`wait_for_injection(${name}) timed out`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  disconnect(): void {
    this.abort.abort();
  }

  private fail(reason: string): void {
    this.failure = reason;
    this.abort.abort();
  }
}
