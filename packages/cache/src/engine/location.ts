import { RediwareError } from '@rediware/core';
import type { CacheState } from './cache-state';
import { parseNamespace } from './options';

/** Where one key lives. */
export interface Location {
  /** The key as the caller gave it. */
  readonly key: string;
  readonly entryKey: string;
  readonly lockKey: string;
  readonly namespaceStamp: string | undefined;
}

/** Where `key` of `namespace` lives; throws for a key that is not a string or a bad namespace. */
export function locate(state: CacheState, key: string, namespace: string | undefined): Location {
  if (typeof key !== 'string') {
    throw new RediwareError('ERR_RW_CACHE_KEY', `A cache key must be a string, received ${typeof key}.`);
  }
  const name = parseNamespace(namespace);
  // Keys of a namespace are written as `namespace:key`, and record the namespace's version.
  const identity = name === undefined ? key : `${name}:${key}`;
  return {
    key,
    entryKey: state.keyspace.key(identity, 'e'),
    lockKey: state.keyspace.key(identity, 'lock'),
    namespaceStamp: name === undefined ? undefined : state.stamps.namespaceKey(name),
  };
}

/**
 * Whether one script may reach the entry at `location` (and its lock) and `stampKeys` together:
 * always on a standalone server, on a cluster only when they share a slot.
 */
export function oneScriptReaches(
  state: CacheState,
  location: Location,
  stampKeys: readonly string[],
): boolean {
  return state.backend.slotGroups([location.entryKey, ...stampKeys]).length === 1;
}

/** The stamps an entry at `location` written with `tags` depends on: its tags', then its namespace's. */
export function stampKeysOf(state: CacheState, location: Location, tags: readonly string[]): string[] {
  const keys = tags.map((tag) => state.stamps.tagKey(tag));
  if (location.namespaceStamp) keys.push(location.namespaceStamp);
  return keys;
}
