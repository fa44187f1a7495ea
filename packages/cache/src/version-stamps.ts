import type { Backend, Keyspace } from '@rediware/core';
import { bumpStampScript } from './bump-stamp-script';
import { readStampScript } from './read-stamp-script';
import type { StampRef } from './stored-entry';

/**
 * Tags and namespaces as version stamps. Each tag and each namespace has one small key in its own
 * slot holding a version. An entry records the versions of its stamps when it is written;
 * invalidating a tag or bumping a namespace moves the stamp on, and every entry that recorded the
 * old version is a miss from then on. Invalidation is one single-key script per tag, whatever the
 * number of entries, on a cluster too: nothing ever spans two slots.
 */
export class VersionStamps {
  readonly #backend: Backend;
  readonly #keyspace: Keyspace;

  constructor(backend: Backend, keyspace: Keyspace) {
    this.#backend = backend;
    this.#keyspace = keyspace;
  }

  tagKey(tag: string): string {
    return this.#keyspace.key(tag, 'tag');
  }

  namespaceKey(namespace: string): string {
    return this.#keyspace.key(namespace, 'ns');
  }

  /**
   * The current versions, creating missing stamps, each kept alive for at least `keepAliveMs`
   * (the lifetime of the entry about to record them). One round trip per stamp, in parallel.
   */
  capture(stampKeys: readonly string[], keepAliveMs: number): Promise<StampRef[]> {
    const keepAlive = Math.max(1, Math.ceil(keepAliveMs));
    return Promise.all(
      stampKeys.map(async (key) => ({
        key,
        version: await this.#backend.run(readStampScript, [key], [keepAlive]),
      })),
    );
  }

  /** True when every recorded version is still current. */
  async valid(stamps: readonly StampRef[]): Promise<boolean> {
    if (stamps.length === 0) return true;
    const versions = await Promise.all(
      stamps.map((stamp) => this.#backend.run(readStampScript, [stamp.key], [0])),
    );
    return stamps.every((stamp, i) => versions[i] === stamp.version);
  }

  /** Moves every stamp on: one single-key script per stamp, in parallel. */
  async bump(stampKeys: readonly string[]): Promise<void> {
    await Promise.all(stampKeys.map((key) => this.#backend.run(bumpStampScript, [key], [])));
  }
}
