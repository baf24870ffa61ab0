/** How a step of a shutdown ended: it finished, it failed (with what), or it was still running at its bound. */
export type Settled = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * Waits for `work` for at most `ms` and never rejects, so a shutdown made of such steps always reaches its
 * end: one step that hangs or throws is reported, and the next still runs. The timer does not keep the
 * process alive.
 */
export function settleWithin(work: Promise<unknown> | undefined, ms: number): Promise<Settled> {
  if (work === undefined) return Promise.resolve({ ok: true });
  return new Promise<Settled>((resolve) => {
    const timer = setTimeout(() => resolve({ ok: false, reason: `still running after ${ms} ms` }), ms);
    timer.unref();
    work.then(
      () => {
        clearTimeout(timer);
        resolve({ ok: true });
      },
      (err: unknown) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: err instanceof Error ? err.message : String(err) });
      },
    );
  });
}
