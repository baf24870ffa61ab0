import { randomBytes } from 'node:crypto';

// A wire id is `${epoch}-${seq}`: the epoch names one ShardGroup instance (so ids from before a restart are
// recognised as foreign), the seq is the group's global hit counter.

/** A random, short, base36 epoch (no '-', so the last '-' of an id always separates epoch and seq). */
export function newEpoch(): string {
  return randomBytes(6).readUIntBE(0, 6).toString(36);
}

export function formatWireId(epoch: string, seq: number): string {
  return epoch + '-' + seq;
}

/** Splits a wire id; undefined for anything that is not `<epoch>-<positive integer>`. */
export function parseWireId(id: string): { epoch: string; seq: number } | undefined {
  const dash = id.lastIndexOf('-');
  if (dash <= 0) return undefined;
  const digits = id.slice(dash + 1);
  if (!/^[1-9]\d{0,15}$/.test(digits)) return undefined;
  const seq = Number(digits);
  if (!Number.isSafeInteger(seq)) return undefined;
  return { epoch: id.slice(0, dash), seq };
}
