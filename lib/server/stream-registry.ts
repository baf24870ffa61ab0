import type { SseStream } from './sse-stream';

/** The open event streams of one handler, and counts of what happened to them, for stats() and close(). */
export class StreamRegistry {
  private readonly open = new Set<SseStream>();
  private openedCount = 0;
  private cutCount = 0;

  add(stream: SseStream): void {
    this.open.add(stream);
    this.openedCount++;
    stream.onEnd((reason) => {
      this.open.delete(stream);
      if (reason === 'overflow') this.cutCount++;
    });
  }

  /** Streams open now. */
  get size(): number {
    return this.open.size;
  }

  /** Streams opened since the handler was made. */
  get opened(): number {
    return this.openedCount;
  }

  /** Streams cut off because their client fell behind past maxBufferBytes. */
  get cut(): number {
    return this.cutCount;
  }

  bufferedBytes(): number {
    let total = 0;
    for (const stream of this.open) total += stream.bufferedBytes;
    return total;
  }

  endAll(): void {
    for (const stream of [...this.open]) stream.end();
  }
}
