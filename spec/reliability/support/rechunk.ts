import type { Dispatcher } from 'undici';

// An undici interceptor that hands a response body to the client in exactly the chunks a test chooses. The
// bytes still come over a real loopback socket, in whatever pieces TCP delivers; the interceptor buffers them
// and passes on the planned pieces, so the client's parsing path (undici body -> TextDecoder -> eventsource-
// parser -> decodeEvent) sees a chunk boundary at every planned offset and nowhere else.

/**
 * `cuts`: increasing byte offsets into the body where a chunk ends, the last one being the length of the
 * planned part. Bytes beyond it are passed on as they come.
 */
export function rechunkBody(cuts: readonly number[]): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) => (options, handler) => dispatch(options, new RechunkingHandler(handler, cuts));
}

class RechunkingHandler implements Dispatcher.DispatchHandler {
  private held = Buffer.alloc(0);
  /** Body bytes passed on so far. */
  private passed = 0;
  private next = 0;

  constructor(
    private readonly inner: Dispatcher.DispatchHandler,
    private readonly cuts: readonly number[],
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController, context: unknown): void {
    this.inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onRequestUpgrade']>>): void {
    this.inner.onRequestUpgrade?.(...args);
  }

  onResponseStart(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseStart']>>): void {
    this.inner.onResponseStart?.(...args);
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.next >= this.cuts.length) {
      this.passed += chunk.length;
      this.inner.onResponseData?.(controller, chunk);
      return;
    }
    let buffer = this.held.length === 0 ? chunk : Buffer.concat([this.held, chunk]);
    this.held = Buffer.alloc(0);
    while (this.next < this.cuts.length && this.passed + buffer.length >= this.cuts[this.next]) {
      const size = this.cuts[this.next++] - this.passed;
      const piece = buffer.subarray(0, size);
      buffer = buffer.subarray(size);
      this.passed += size;
      this.inner.onResponseData?.(controller, Buffer.from(piece));
    }
    if (buffer.length > 0) {
      if (this.next >= this.cuts.length) {
        this.passed += buffer.length;
        this.inner.onResponseData?.(controller, Buffer.from(buffer));
      } else {
        this.held = Buffer.from(buffer);
      }
    }
  }

  onResponseEnd(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseEnd']>>): void {
    this.inner.onResponseEnd?.(...args);
  }

  onResponseError(...args: Parameters<NonNullable<Dispatcher.DispatchHandler['onResponseError']>>): void {
    this.inner.onResponseError?.(...args);
  }
}

/** Cuts after every byte up to `length`: every boundary of the body at once. */
export function everyByte(length: number): number[] {
  return Array.from({ length }, (_, i) => i + 1);
}
