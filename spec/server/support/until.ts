/**
 * Waits until `condition()` holds, re-checking on every turn of the event loop (and at least every 5 ms);
 * the deadline is only a hang guard, never a synchronisation.
 */
export async function until(condition: () => boolean, what: string, deadlineMs = 20_000): Promise<void> {
  const start = Date.now();
  while (!condition()) {
    if (Date.now() - start > deadlineMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
