import { filter, firstValueFrom, merge, of, Subject, take, timeout as within, type Subscription } from 'rxjs';
import type { InjectionStream } from './injection-stream';
import type { InjectionMark } from './types';
import { noticeScope } from '../event';

/**
 * Where the `enabled` notices of one enable (of a name, in a scope or unscoped) land on the kit's stream, so the waits it arms count only the
 * control notices after them (the testing kit's waits and `faultline enable --wait`). The stream and the REST answer race: a notice from before the enable (the
 * `disabled` of the last reset, the `exhausted` of the one-shot this enable replaces) can still be on its way
 * when the enable is answered, and would end the new wait at once. A node sends its `enabled` notice after
 * every notice before it, so nothing stale comes after it. Only the notice of the same scope counts: another
 * test's enable of the name in its own scope says nothing of where this one's notices are.
 *
 * Made right after `stream.mark()`, with no await between: the notices it counts are then numbered as the
 * stream numbers them.
 */
export class EnableNotices {
  /** Per node, the number of its first `enabled` notice of the name after the mark. */
  private readonly enabledAt = new Map<string, number>();
  private readonly seen = new Subject<void>();
  private readonly counting: Subscription;
  private count: number;

  constructor(
    stream: InjectionStream,
    name: string,
    /** undefined: the unscoped enablement. */
    scope: string | undefined,
    private readonly mark: InjectionMark,
  ) {
    this.count = mark.controls ?? 0;
    this.counting = stream.control$.subscribe((notice) => {
      this.count++;
      if (notice.op !== 'enabled' || notice.injection !== name || noticeScope(notice) !== scope) return;
      if (this.enabledAt.has(notice.node)) return;
      this.enabledAt.set(notice.node, this.count);
      this.seen.next();
    });
  }

  /**
   * The mark the armed waits count from: the mark, with its notices moved past the `enabled` notice of every
   * node in `nodes` (those that answered as a faultline server does). Waits at most `ms` for them; a notice
   * that does not come in that time (a stream reconnecting loses notices) leaves the mark as it was for that node.
   */
  async armedMark(nodes: readonly string[], ms: number): Promise<InjectionMark> {
    try {
      const all = (): boolean => nodes.every((node) => this.enabledAt.has(node));
      await firstValueFrom(merge(of(undefined), this.seen).pipe(filter(all), take(1), within(ms))).catch(() => undefined);
      let controls = this.mark.controls ?? 0;
      for (const node of nodes) controls = Math.max(controls, this.enabledAt.get(node) ?? 0);
      return { ...this.mark, controls };
    } finally {
      this.stop();
    }
  }

  stop(): void {
    this.counting.unsubscribe();
  }
}
