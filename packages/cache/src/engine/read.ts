import type { ValueKind } from '../codec/value-codec';
import type { Outcome } from './outcome';
import type { ReadEntryReply } from './scripts/read-entry-script';
import { decodeStamps, type Freshness, freshnessOf, type StampRef, type StoredEntry } from './stored-entry';
import type { CapturedStamps } from './version-stamps';

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
  /** The versions of the caller's stamps, read in the same round trip: a loader's capture. */
  readonly captured: CapturedStamps | undefined;
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

/**
 * The stamps a read checks: those of an entry that may still be served. An expired entry's are
 * checked only when a loader asks for it as `previous`.
 */
export function stampsToCheck(entry: StoredEntry | undefined, now: number): readonly StampRef[] {
  return entry && freshnessOf(entry, now) !== 'expired' ? entry.stamps : [];
}

/**
 * The read rule of every path, single or batch: an entry whose checked stamps moved is invalid;
 * with a token, the script tried the loader lock of every entry that was not fresh by time.
 */
export function readOf(
  reply: ReadEntryReply,
  entry: StoredEntry | undefined,
  localNow: number,
  token: string,
  stampsCurrent: boolean,
  captured?: CapturedStamps,
): Read {
  const now = Number(reply[0]);
  const current = entry ? freshnessOf(entry, now) : 'missing';
  // One literal per read, not a spread plus properties: that costs about 1.5 µs per property on Node 20.
  return {
    entry,
    now,
    nowUs: Number(reply[1]),
    localNow,
    locked: Number(reply[2]) === 1,
    freshness: stampsCurrent ? current : 'invalid',
    triedLock: token !== '' && current !== 'fresh',
    captured,
  };
}

/** What a read answers at once: a fresh entry (a hit) or a stale one; undefined: load or wait. */
export function servedOutcome(read: Read): Outcome | undefined {
  const { entry, freshness } = read;
  if (!entry || (freshness !== 'fresh' && freshness !== 'stale')) return undefined;
  return {
    encoded: entry.value,
    value: undefined,
    status: freshness === 'fresh' ? 'hit' : 'stale',
    ageMs: Math.max(0, read.now - entry.createdAt),
  };
}

/** The entry a loader may fall back on: what the read found, unless a stamp invalidated it. */
export function usableEntry(read: Read): StoredEntry | undefined {
  return read.entry && read.freshness !== 'invalid' ? read.entry : undefined;
}

/** The usable entry of `read` while stale-if-error may still serve it at local time `now`. */
export function servableOnError(read: Read, now: number): StoredEntry | undefined {
  const usable = usableEntry(read);
  return usable && localTime(read, usable.errorUntil) > now ? usable : undefined;
}

/** `entry` (of `read`) served stale. */
export function staleOutcome(entry: StoredEntry, read: Read): Outcome {
  return {
    encoded: entry.value,
    value: undefined,
    status: 'stale',
    ageMs: Math.max(0, read.now - entry.createdAt),
  };
}
