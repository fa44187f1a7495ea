import type { MemoryStore } from '@rediware/core';

/** One stream entry as the write-behind scripts return it: its id and its fields in order. */
export interface StreamEntry {
  readonly id: string;
  readonly fields: readonly Buffer[];
}

/**
 * The memory backend's twin of one Redis Stream with one consumer group: XADD, XREADGROUP (new
 * entries with '>', the consumer's pending ones with '0'), XAUTOCLAIM, XACK + XDEL, XLEN.
 * Only what write-behind uses. Acknowledged entries are deleted, as the scripts do with XDEL.
 */
export class MemoryStream {
  /** Entries not yet deleted, in id order (ids only grow, so insertion order is id order). */
  readonly #entries = new Map<string, readonly Buffer[]>();
  /** The pending entries list: id -> consumer, in id order. */
  readonly #pending = new Map<string, string>();
  /** Failed flushes per entry (the twin of the `fails` hash). */
  readonly failures = new Map<string, number>();
  #lastMs = 0;
  #sequence = 0;
  #lastDelivered = '0-0';

  /** XADD * : ids are `<ms>-<seq>` and always grow, even when the clock does not. */
  add(fields: readonly Buffer[], now: number): string {
    if (now > this.#lastMs) {
      this.#lastMs = now;
      this.#sequence = 0;
    } else this.#sequence++;
    const id = `${this.#lastMs}-${this.#sequence}`;
    this.#entries.set(id, fields);
    return id;
  }

  get length(): number {
    return this.#entries.size;
  }

  get(id: string): readonly Buffer[] | undefined {
    return this.#entries.get(id);
  }

  /** XREADGROUP ... '0': what `consumer` read and did not acknowledge, oldest first. */
  readPending(consumer: string, count: number): StreamEntry[] {
    const entries: StreamEntry[] = [];
    for (const [id, owner] of this.#pending) {
      if (entries.length >= count) break;
      const fields = this.#entries.get(id);
      if (owner === consumer && fields) entries.push({ id, fields });
    }
    return entries;
  }

  /** XREADGROUP ... '>': entries never delivered, now pending for `consumer`. */
  readNew(consumer: string, count: number): StreamEntry[] {
    const entries: StreamEntry[] = [];
    for (const [id, fields] of this.#entries) {
      if (entries.length >= count) break;
      if (compareIds(id, this.#lastDelivered) <= 0) continue;
      entries.push({ id, fields });
      this.#pending.set(id, consumer);
      this.#lastDelivered = id;
    }
    return entries;
  }

  /** XAUTOCLAIM with min-idle 0 over the whole list: every pending entry now belongs to `consumer`. */
  claimAll(consumer: string): void {
    for (const id of this.#pending.keys()) this.#pending.set(id, consumer);
  }

  /** XACK + XDEL (+ HDEL of the failure count); returns how many were pending. */
  acknowledge(ids: readonly string[]): number {
    let acknowledged = 0;
    for (const id of ids) {
      if (this.#pending.delete(id)) acknowledged++;
      this.#entries.delete(id);
      this.failures.delete(id);
    }
    return acknowledged;
  }
}

/** The streams of one memory backend, kept beside its store: the store's LRU cap must never drop a queued write. */
const streamsByStore = new WeakMap<MemoryStore, Map<string, MemoryStream>>();

export function memoryStream(store: MemoryStore, key: string): MemoryStream {
  let streams = streamsByStore.get(store);
  if (!streams) {
    streams = new Map();
    streamsByStore.set(store, streams);
  }
  let stream = streams.get(key);
  if (!stream) {
    stream = new MemoryStream();
    streams.set(key, stream);
  }
  return stream;
}

function compareIds(a: string, b: string): number {
  const [aMs, aSeq] = a.split('-').map(Number) as [number, number];
  const [bMs, bSeq] = b.split('-').map(Number) as [number, number];
  return aMs === bMs ? aSeq - bSeq : aMs - bMs;
}
