import {
  createKeyspace,
  hashTagOf,
  identityTag,
  type Keyspace,
  RediwareConfigError,
  slotOf,
  slotTags,
} from '@rediware/core';

/** Where one acquisition lives in Redis. */
export interface LockTarget {
  /** The user's keys, deduplicated, in the order given. */
  readonly keys: readonly string[];
  /** One holder key per user key: a string for a mutex, a sorted set for a semaphore. */
  readonly holders: readonly string[];
  /**
   * What the acquire script gets: the holder keys, then each key's own fencing counter (as earlier
   * builds kept them; read and kept up to date only where one exists), then the fencing counter of
   * the keys' cluster slot.
   */
  readonly redisKeys: readonly string[];
  /** One release channel per key: the holder key's name. */
  readonly channels: readonly string[];
}

/**
 * Maps user keys to Redis keys. A plain key is its own hash tag: `rw:lock:{order:1}:lock`. A key
 * that carries a Redis hash tag (`{order:1}:items`) lives in that tag's slot, so keys with one
 * tag can be locked together in one script on Redis Cluster: `rw:lock:{order:1}:lock:#<sha>`.
 * The fencing counter is one per cluster slot, `rw:lock:{<tag of the slot>}:slot-fence` (on a
 * standalone server too), so there are at most 16384 of them however many keys are locked.
 */
export function createLockKeys(prefix: string): (key: string | readonly string[]) => LockTarget {
  const keyspace = createKeyspace(prefix, 'lock');
  const tags = slotTags();
  const slotFence = (tag: string) => keyspace.key(tags[slotOf(tag)] as string, 'slot-fence');
  return (key) => {
    if (typeof key === 'string') {
      // The common case, one key per request: no set, no lists to map.
      const { tag, holder, fence } = locate(keyspace, key);
      const holders = [holder];
      return Object.freeze({
        keys: [key],
        holders,
        redisKeys: [holder, fence, slotFence(tag)],
        channels: holders,
      });
    }
    const keys = [...new Set(checkKeyList(key))];
    if (keys.length === 0) throw new RediwareConfigError('key', 'at least one key', key);
    const located = keys.map((one) => locate(keyspace, one));
    const tag = (located[0] as Located).tag;
    if (located.some((one) => one.tag !== tag)) {
      throw new RediwareConfigError(
        'key',
        "keys that share one hash tag, such as '{order:42}:items' and '{order:42}:payment' (a multi-key lock is one atomic script in one slot)",
        keys,
      );
    }
    const holders = located.map((one) => one.holder);
    return Object.freeze({
      keys,
      holders,
      redisKeys: [...holders, ...located.map((one) => one.fence), slotFence(tag)],
      channels: holders,
    });
  };
}

interface Located {
  tag: string;
  holder: string;
  fence: string;
}

function checkKeyList(keys: readonly unknown[]): string[] {
  if (!Array.isArray(keys) || keys.some((one) => typeof one !== 'string')) {
    throw new RediwareConfigError('key', 'a string or an array of strings', keys);
  }
  return keys as string[];
}

function locate(keyspace: Keyspace, key: string): Located {
  if (typeof key !== 'string') throw new RediwareConfigError('key', 'a string or an array of strings', key);
  const tag = hashTagOf(key);
  // identityTag hashes anything not plain (braces included), so the suffix can never hold a tag.
  const suffix = tag === key ? '' : `:${identityTag(key)}`;
  return {
    tag: identityTag(tag),
    holder: keyspace.key(tag, `lock${suffix}`),
    fence: keyspace.key(tag, `fence${suffix}`),
  };
}
