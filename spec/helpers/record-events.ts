import type { Observable, Subscription } from 'rxjs';

// Subscribes to an Observable and keeps what it emits, for assertions on exactly which events a piece of
// code produced. `stopRecording()` in afterEach unsubscribes every recorder, so no test leaves one behind.

const live = new Set<Subscription>();

export function record<T>(source: Observable<T>): T[] {
  const seen: T[] = [];
  const subscription = source.subscribe((value) => seen.push(value));
  live.add(subscription);
  return seen;
}

export function stopRecording(): void {
  for (const s of live) s.unsubscribe();
  live.clear();
}
