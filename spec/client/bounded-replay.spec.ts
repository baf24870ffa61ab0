import { firstValueFrom, take, toArray } from 'rxjs';
import { BoundedReplay } from '../../lib/client/bounded-replay';
import { ClientArgumentError } from '../../lib/client/errors';

describe('BoundedReplay', () => {
  it('replays what it holds to a late subscriber, then goes live', () => {
    const replay = new BoundedReplay<number>(10);
    replay.next(1);
    replay.next(2);
    const seen: number[] = [];
    replay.observe().subscribe((v) => seen.push(v));
    replay.next(3);
    expect(seen).toEqual([1, 2, 3]);
    expect(replay.count).toBe(3);
  });

  it('holds only the last `capacity` values', () => {
    const replay = new BoundedReplay<number>(3);
    for (let i = 1; i <= 7; i++) replay.next(i);
    const seen: number[] = [];
    replay.observe().subscribe((v) => seen.push(v));
    expect(seen).toEqual([5, 6, 7]);
  });

  it('replays from a position, skipping what came before it, and clamps to what it still holds', () => {
    const replay = new BoundedReplay<number>(4);
    for (let i = 0; i < 6; i++) replay.next(i);
    const from = (n: number) => {
      const seen: number[] = [];
      replay.observe(n).subscribe((v) => seen.push(v)).unsubscribe();
      return seen;
    };
    expect(from(4)).toEqual([4, 5]);
    expect(from(0)).toEqual([2, 3, 4, 5]);
    expect(from(6)).toEqual([]);
  });

  it('replays in order a value pushed by a subscriber while it is being replayed to', () => {
    const replay = new BoundedReplay<number>(10);
    replay.next(1);
    replay.next(2);
    const seen: number[] = [];
    replay.observe().subscribe((v) => {
      seen.push(v);
      if (v === 1) replay.next(99);
    });
    replay.next(3);
    expect(seen).toEqual([1, 2, 99, 3]);
  });

  it('stops replaying when the subscriber unsubscribes during the replay', async () => {
    const replay = new BoundedReplay<number>(10);
    for (let i = 0; i < 5; i++) replay.next(i);
    await expect(firstValueFrom(replay.observe().pipe(take(2), toArray()))).resolves.toEqual([0, 1]);
  });

  it('completes: subscribers then get the replay and the completion; later values are ignored', async () => {
    const replay = new BoundedReplay<number>(10);
    replay.next(1);
    const live = firstValueFrom(replay.observe().pipe(toArray()));
    replay.complete();
    replay.next(2);
    await expect(live).resolves.toEqual([1]);
    await expect(firstValueFrom(replay.observe().pipe(toArray()))).resolves.toEqual([1]);
  });

  it('errors: subscribers then get the replay and the error', async () => {
    const replay = new BoundedReplay<number>(10);
    replay.next(1);
    const boom = new Error('boom');
    replay.error(boom);
    const seen: number[] = [];
    let failure: unknown;
    replay.observe().subscribe({ next: (v) => seen.push(v), error: (e: unknown) => (failure = e) });
    expect(seen).toEqual([1]);
    expect(failure).toBe(boom);
  });

  it('refuses a capacity below 1', () => {
    expect(() => new BoundedReplay(0)).toThrow(ClientArgumentError);
  });
});
