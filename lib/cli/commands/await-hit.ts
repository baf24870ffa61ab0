import { openInjectionStream, StreamClosedError, WaitTimeoutError, type InjectionStream } from '../../client';
import { EnableNotices } from '../../client/enable-notices';
import type { CliIo } from '../command';
import { CommandFailedError } from '../errors';
import { formatEventJson } from '../format';
import { failure, type Target } from './target';

/** How long `wait` and `enable --wait` wait by default, in seconds. */
export const DEFAULT_WAIT_S = 30;

export interface AwaitHitOptions {
  readonly seconds: number;
  readonly shards: readonly number[];
  /** Only a hit of the injection's enablement in this scope (the stream asks the server for that scope only). */
  readonly scope?: string;
  /** Count only hits after this position (and open the stream from it, so the hits since are replayed). */
  readonly after?: string;
  /**
   * Called once the stream is open, before the wait: enables the injection and resolves with the position it
   * was armed at (what the wait then counts after) and the line saying so.
   */
  readonly arm?: () => Promise<{ position: string | undefined; said: string }>;
}

/**
 * Opens the stream of one server, waits for one hit of `name`, prints it as one line of JSON and resolves 0;
 * a timeout, an interruption or a lost server is a CommandFailedError (exit 1). The stream is open before
 * `arm` runs, so no hit after the arming can be missed.
 */
export async function awaitHit(command: string, io: CliIo, target: Target, name: string, options: AwaitHitOptions): Promise<number> {
  const { seconds, shards, scope } = options;
  let stream: InjectionStream;
  try {
    stream = await openInjectionStream(
      { url: target.base, name: target.label },
      { token: target.token, injection: name, shard: shards.length ? shards : undefined, scope, after: options.after },
    );
  } catch (err) {
    throw failure(err, target);
  }
  const onStop = (): void => void stream.close();
  io.stop.addEventListener('abort', onStop, { once: true });
  try {
    let mark = stream.mark();
    let after = options.after;
    let armed = '';
    if (options.arm !== undefined) {
      // A notice of what this enable replaces (the `exhausted` of a spent one-shot) may reach the stream after
      // the enable's answer; counted from the server's own `enabled` notice, it cannot end the wait.
      const notices = new EnableNotices(stream, name, scope, mark);
      let position: string | undefined;
      try {
        ({ position, said: armed } = await options.arm());
      } catch (err) {
        notices.stop();
        throw err;
      }
      // Only a faultline server (it answers with a position) sends the notice.
      if (position !== undefined) mark = await notices.armedMark([target.label], Math.round(seconds * 1000));
      else notices.stop();
      after = position;
      armed += '; ';
    }
    io.stderr.write(
      `faultline ${command}: ${armed}waiting for ${name}${scope !== undefined ? ` in scope ${scope}` : ''} on ${target.label}` +
        `${shards.length ? ` shard ${shards.join('|')}` : ''}${after !== undefined ? ` after ${after}` : ''}\n`,
    );
    const event = await stream.waitForInjection(name, {
      timeout: Math.round(seconds * 1000),
      shard: shards.length ? shards : undefined,
      scope,
      since: options.arm !== undefined ? mark : undefined,
      after,
    });
    const { seq: _seq, ...wire } = event;
    io.stdout.write(formatEventJson(wire, event.node) + '\n');
    return 0;
  } catch (err) {
    if (err instanceof WaitTimeoutError) {
      const inScope = scope !== undefined ? ` in scope ${scope}` : '';
      throw new CommandFailedError(`timed out after ${seconds} s: no hit of ${name}${inScope} on ${target.base}`, { cause: err });
    }
    if (err instanceof StreamClosedError && io.stop.aborted) {
      throw new CommandFailedError(`interrupted before ${name} was hit`, { cause: err });
    }
    throw err instanceof CommandFailedError ? err : failure(err, target);
  } finally {
    io.stop.removeEventListener('abort', onStop);
    await stream.close();
  }
}
