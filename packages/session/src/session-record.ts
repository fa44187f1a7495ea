/**
 * How a session lives in Redis: one hash per session id, so data, cookie expiry and owner share
 * one key, one expiry and one slot. `expires` is kept beside the data (not inside it) so a touch
 * can move it without rewriting, and without overwriting, data another request saved meanwhile.
 */
export interface SessionRecord {
  /** The serialized (and maybe encrypted) session. */
  data: string;
  /** The cookie's expiry in epoch ms as a string; '' for a cookie without one. */
  expires: string;
  /** The owner for the per-user index; '' for none. */
  user: string;
  /**
   * When the key expires, epoch ms as a string, on the clock of the process that wrote it: what a
   * read needs for `touchAfter` without asking PTTL. Absent in records written before it existed.
   */
  deadline?: string;
}

/** The memory backend's twin of a hash key: a plain object (a user index is a Map). */
export function asRecord(value: unknown): SessionRecord | undefined {
  return isHashTwin(value) && 'data' in value ? (value as SessionRecord) : undefined;
}

/** A value where the memory backend keeps a session of another type: Redis would answer WRONGTYPE. */
export function holdsOtherType(value: unknown): boolean {
  return value !== undefined && !isHashTwin(value);
}

function isHashTwin(value: unknown): value is object {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}
