import type { EncodedValue, ValueKind } from '../codec/value-codec';

/** A version stamp an entry depends on: the stamp key (a tag or a namespace) and its value then. */
export interface StampRef {
  readonly key: string;
  readonly version: string;
}

/** One entry as read from the store. Times are on the Redis clock, in ms. */
export interface StoredEntry {
  readonly value: EncodedValue;
  readonly freshUntil: number;
  /** End of the stale-while-revalidate window. */
  readonly staleUntil: number;
  /** End of the stale-if-error window. */
  readonly errorUntil: number;
  readonly createdAt: number;
  readonly stamps: readonly StampRef[];
}

/** fresh: serve. stale: serve and refresh. error-only: serve only when the loader fails. */
export type Freshness = 'fresh' | 'stale' | 'error-only' | 'expired';

export function freshnessOf(entry: StoredEntry, now: number): Freshness {
  if (now < entry.freshUntil) return 'fresh';
  if (now < entry.staleUntil) return 'stale';
  if (now < entry.errorUntil) return 'error-only';
  return 'expired';
}

/** The hash fields of an entry, shared by the Lua scripts and their memory twins. */
export interface EntryRecord {
  v: Buffer;
  k: ValueKind;
  f: number;
  s: number;
  e: number;
  t: string;
  c: number;
}

export function encodeStamps(stamps: readonly StampRef[]): string {
  return stamps.length === 0 ? '' : JSON.stringify(stamps.map((stamp) => [stamp.key, stamp.version]));
}

export function decodeStamps(text: string): StampRef[] {
  if (text === '') return [];
  const pairs = JSON.parse(text) as [string, string][];
  return pairs.map(([key, version]) => ({ key, version }));
}
