import { performance } from 'node:perf_hooks';
import type { Backend, Keyspace } from '@rediware/core';
import { readStampVersions } from './batch-stamps';
import { bumpStampScript, createdStampTtlMs } from './scripts/bump-stamp-script';
import { readStampScript } from './scripts/read-stamp-script';
import { settleStampScript } from './scripts/settle-stamp-script';
import type { StampMemory } from './stamp-memory';
import type { StampRef } from './stored-entry';

/** The stamps read before a loader ran ('' for a missing one), and when the read was sent. */
export interface CapturedStamps {
  readonly stamps: readonly StampRef[];
  /** performance.now() before the read. */
  readonly sentAt: number;
}

/** A stamp's keep-alive as settleStampScript takes it: whole ms, at least 1. */
export function keepAliveOf(keepAliveMs: number): number {
  return Math.max(1, Math.ceil(keepAliveMs));
}

/**
 * Tags and namespaces as version stamps. Each tag and each namespace has one small key in its own
 * slot holding a version. An entry records the versions of its stamps when it is written;
 * invalidating a tag or bumping a namespace moves the stamp on, and every entry that recorded the
 * old version is a miss from then on. Invalidation is one single-key script per tag, whatever the
 * number of entries, on a cluster too: nothing ever spans two slots.
 *
 * Only a write creates a stamp (settle) and only an invalidation creates one otherwise (bump, for
 * `createdStampTtlMs`): reading stamps before a loader runs (capture) changes nothing, so a path
 * nobody stores costs no key. A loader's invalidation check is at settle: a stamp that moved since
 * capture (a missing one that now exists, unless '0', an unbumped stamp another writer created)
 * means the value may predate an invalidation and is not stored.
 *
 * The versions read, settled and bumped here are remembered (`StampMemory`), so while the bus is
 * trusted a read whose entry recorded the remembered versions needs no round trip for its stamps.
 */
export class VersionStamps {
  readonly #backend: Backend;
  readonly #keyspace: Keyspace;
  readonly #memory: StampMemory;

  constructor(backend: Backend, keyspace: Keyspace, memory: StampMemory) {
    this.#backend = backend;
    this.#keyspace = keyspace;
    this.#memory = memory;
  }

  tagKey(tag: string): string {
    return this.#keyspace.key(tag, 'tag');
  }

  namespaceKey(namespace: string): string {
    return this.#keyspace.key(namespace, 'ns');
  }

  /**
   * The current versions, read-only: the remembered ones, the others with one round trip per
   * stamp, in parallel. A remembered version that moved meanwhile fails the settle, as a read one would.
   */
  async capture(stampKeys: readonly string[]): Promise<CapturedStamps> {
    const sentAt = performance.now();
    const remembered = stampKeys.map((key) => this.#memory.recall(key));
    const unknown = stampKeys.filter((_, i) => remembered[i] === undefined);
    const read = unknown.length > 0 ? await this.#read(unknown) : new Map<string, string>();
    const stamps = stampKeys.map((key, i) => ({ key, version: remembered[i] ?? (read.get(key) as string) }));
    return { stamps, sentAt };
  }

  /**
   * The versions an entry about to be written records, each stamp created if missing and kept alive
   * for at least `keepAliveMs` (the entry's lifetime). With `captured`, undefined when a captured
   * stamp moved since, or when one captured missing or '0' (versions a stamp takes again once it
   * expired) was read longer ago than a bumped stamp surely lives: the invalidation that moved it
   * may have expired. One round trip per stamp, in parallel.
   */
  async settle(
    captured: CapturedStamps | undefined,
    stampKeys: readonly string[],
    keepAliveMs: number,
  ): Promise<StampRef[] | undefined> {
    const keepAlive = keepAliveOf(keepAliveMs);
    const epoch = this.#memory.begin();
    const stamps = await Promise.all(
      stampKeys.map(async (key) => {
        const args = [keepAlive, ...this.expectation(captured, key)];
        return { key, version: await this.#backend.run(settleStampScript, [key], args) };
      }),
    );
    const moved = stamps.some((stamp) => stamp.version === '');
    this.settled(stampKeys, moved ? undefined : stamps.map((stamp) => stamp.version), epoch);
    if (moved || this.outlived(captured, stampKeys)) return undefined;
    return stamps;
  }

  /** settleStampScript's check of `key`: '1' and the version captured, or '0' when it was not captured. */
  expectation(captured: CapturedStamps | undefined, key: string): [string, string] {
    const before = captured?.stamps.find((stamp) => stamp.key === key);
    return before ? ['1', before.version] : ['0', ''];
  }

  /**
   * True when a stamp captured missing or '0' (versions a stamp takes again once it expired) was
   * read longer ago than a bumped stamp surely lives: the invalidation that moved it may have
   * expired, so the value is not stored.
   */
  outlived(captured: CapturedStamps | undefined, stampKeys: readonly string[]): boolean {
    const recurring = captured?.stamps.some(
      (stamp) => (stamp.version === '' || stamp.version === '0') && stampKeys.includes(stamp.key),
    );
    return Boolean(recurring && captured && performance.now() - captured.sentAt >= createdStampTtlMs);
  }

  /**
   * What a settle found, begun at `epoch` (`StampMemory.begin`): the versions recorded are
   * remembered; undefined (a stamp moved since it was captured) forgets them, as a remembered
   * version captured may be one the stamp no longer holds.
   */
  settled(
    stampKeys: readonly string[],
    versions: readonly string[] | undefined,
    epoch: number | undefined,
  ): void {
    stampKeys.forEach((key, i) => {
      if (versions) this.#memory.remember(key, versions[i] as string, epoch);
      else this.#memory.forget(key);
    });
  }

  /** Versions read in the same script as an entry (begun at `epoch`, sent at `sentAt`): remembered, and captured. */
  readAlong(
    stampKeys: readonly string[],
    versions: readonly string[],
    epoch: number | undefined,
    sentAt: number,
  ): CapturedStamps {
    const stamps = stampKeys.map((key, i) => {
      const version = versions[i] as string;
      this.#memory.remember(key, version, epoch);
      return { key, version };
    });
    return { stamps, sentAt };
  }

  /**
   * True when every recorded version is still current: no round trip when the remembered versions
   * confirm them all, else one per stamp not confirmed, in parallel.
   */
  async valid(stamps: readonly StampRef[], known?: CapturedStamps): Promise<boolean> {
    const unconfirmed: StampRef[] = [];
    for (const stamp of stamps) {
      // A version read with the entry is current: it answers, whatever memory holds.
      const read = known?.stamps.find((current) => current.key === stamp.key);
      if (read) {
        if (read.version !== stamp.version) return false;
      } else if (this.#memory.recall(stamp.key) !== stamp.version) unconfirmed.push(stamp);
    }
    if (unconfirmed.length === 0) return true;
    const versions = await this.#read(unconfirmed.map((stamp) => stamp.key));
    return unconfirmed.every((stamp) => versions.get(stamp.key) === stamp.version);
  }

  /**
   * `valid` for each of many entries (a batch read): the stamps that the remembered versions do not
   * confirm are read once each, in one round trip per slot group (one on a standalone server), and
   * remembered; none when memory confirms them all.
   */
  async validEach(entries: readonly (readonly StampRef[])[]): Promise<boolean[]> {
    const confirmed = new Set<StampRef>();
    const unconfirmed = new Set<string>();
    for (const stamps of entries) {
      for (const stamp of stamps) {
        if (this.#memory.recall(stamp.key) === stamp.version) confirmed.add(stamp);
        else unconfirmed.add(stamp.key);
      }
    }
    let versions = new Map<string, string>();
    if (unconfirmed.size > 0) {
      const epoch = this.#memory.begin();
      versions = await readStampVersions(this.#backend, [...unconfirmed]);
      for (const [key, version] of versions) this.#memory.remember(key, version, epoch);
    }
    return entries.map((stamps) =>
      stamps.every((stamp) => confirmed.has(stamp) || versions.get(stamp.key) === stamp.version),
    );
  }

  /**
   * Moves every stamp on, creating missing ones: one single-key script per stamp, in parallel.
   * Their remembered versions are forgotten before and after, so a read in flight meanwhile keeps none.
   */
  async bump(stampKeys: readonly string[]): Promise<void> {
    for (const key of stampKeys) this.#memory.forget(key);
    try {
      await Promise.all(
        stampKeys.map((key) => this.#backend.run(bumpStampScript, [key], [createdStampTtlMs])),
      );
    } finally {
      for (const key of stampKeys) this.#memory.forget(key);
    }
  }

  /** The stamp moved in another process (the bus said so). */
  moved(stampKey: string): void {
    this.#memory.forget(stampKey);
  }

  /** Reads versions from Redis ('' for a missing stamp), one round trip per stamp, and remembers them. */
  async #read(stampKeys: readonly string[]): Promise<Map<string, string>> {
    const epoch = this.#memory.begin();
    const versions = await Promise.all(stampKeys.map((key) => this.#backend.run(readStampScript, [key], [])));
    const read = new Map<string, string>();
    stampKeys.forEach((key, i) => {
      const version = versions[i] as string;
      read.set(key, version);
      this.#memory.remember(key, version, epoch);
    });
    return read;
  }
}
