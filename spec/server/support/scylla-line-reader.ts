import { request } from 'undici';

/**
 * Reads an event stream the way ScyllaDB's Python `InjectionEventStream` does: line by line, stripped; lines
 * starting `data: ` are JSON-parsed as events, lines starting `:` are skipped, anything else is ignored. It
 * never sends Last-Event-ID and knows nothing of `event:` names, so every `data:` line must be a hit.
 */
export class ScyllaLineReader {
  readonly events: Record<string, unknown>[] = [];
  private readonly abort = new AbortController();

  static async connect(url: string): Promise<ScyllaLineReader> {
    const reader = new ScyllaLineReader();
    const res = await request(url, { signal: reader.abort.signal });
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    let buffered = '';
    res.body.setEncoding('utf8');
    res.body.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) !== -1) {
        const line = buffered.slice(0, nl).trim();
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('data: ')) reader.events.push(JSON.parse(line.slice('data: '.length)) as Record<string, unknown>);
      }
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
      if (Date.now() - start > deadlineMs) throw new Error(`wait_for_injection(${name}) timed out`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }

  disconnect(): void {
    this.abort.abort();
  }
}
