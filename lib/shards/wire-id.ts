import { randomBytes } from 'node:crypto';

// The server half of event ids; their format and parsing are in lib/wire.ts, which the client shares.

/** A random, short, base36 epoch (no '-', so the last '-' of an id always separates epoch and seq). */
export function newEpoch(): string {
  return randomBytes(6).readUIntBE(0, 6).toString(36);
}
