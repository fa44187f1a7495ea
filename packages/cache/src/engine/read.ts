import type { ValueKind } from '../codec/value-codec';
import type { ReadEntryReply } from './scripts/read-entry-script';
import { decodeStamps, type Freshness, type StoredEntry } from './stored-entry';

/** One read of an entry: its state, and whether the loader lock was taken with it. */
export interface Read {
  readonly entry: StoredEntry | undefined;
  /** Redis time of the read. */
  readonly now: number;
  /** The same in µs, to order the read against changes announced on the bus. */
  readonly nowUs: number;
  /** Local time of the read; with `now` it converts Redis times to local ones. */
  readonly localNow: number;
  readonly freshness: Freshness | 'missing' | 'invalid';
  locked: boolean;
  /** False when the entry looked fresh, so the script did not try to lock. */
  readonly triedLock: boolean;
}

/** A Redis time of `read` as a local time. */
export function localTime(read: Read, redisTime: number): number {
  return read.localNow + (redisTime - read.now);
}

/** The entry a read-entry script's reply holds; undefined when it holds none. */
export function entryOf(reply: ReadEntryReply): StoredEntry | undefined {
  if (reply.length === 3) return undefined;
  const [, , , value, kind, freshUntil, staleUntil, errorUntil, stamps, createdAt] = reply;
  return {
    value: { bytes: Buffer.from(value), kind: kind.toString() as ValueKind },
    freshUntil: Number(freshUntil),
    staleUntil: Number(staleUntil),
    errorUntil: Number(errorUntil),
    createdAt: Number(createdAt),
    stamps: decodeStamps(stamps.toString()),
  };
}
