import { RediwareError } from '@rediware/core';
import { publishChange } from './bus-publish';
import type { CacheState } from './cache-state';
import { parseNamespace, parseTags } from './options';

/** `invalidate`: every entry written with one of the tags becomes a miss. Rejects when Redis fails. */
export async function invalidateTags(
  state: CacheState,
  selector: { tags: readonly string[] },
): Promise<void> {
  const tags = parseTags(selector?.tags, 'tags');
  await bumpStamps(
    state,
    tags.map((tag) => state.stamps.tagKey(tag)),
  );
}

/** `bumpVersion`: every key of the namespace becomes a miss. Rejects when Redis fails. */
export async function bumpNamespace(state: CacheState, namespace: string): Promise<void> {
  const name = parseNamespace(namespace);
  if (name === undefined) throw new RediwareError('ERR_RW_CACHE_NAMESPACE', 'bumpVersion needs a namespace.');
  await bumpStamps(state, [state.stamps.namespaceKey(name)]);
}

async function bumpStamps(state: CacheState, stampKeys: readonly string[]): Promise<void> {
  for (const stampKey of stampKeys) state.l1?.evictStamp(stampKey);
  await state.failClosed('invalidate', state.stamps.bump(stampKeys));
  await Promise.all(stampKeys.map((stampKey) => publishChange(state, 'stamp', stampKey)));
}
