import type { Backend } from '@rediware/core';
import { readStampsScript } from './read-stamps-script';

/**
 * The versions of many stamps: one round trip per slot group (one on a standalone server), in
 * parallel. With a keep-alive above 0 missing stamps are created, as VersionStamps.capture does.
 */
export async function readStampVersions(
  backend: Backend,
  stampKeys: readonly string[],
  keepAliveMs: number,
): Promise<Map<string, string>> {
  const unique = [...new Set(stampKeys)];
  const keepAlive = keepAliveMs > 0 ? Math.max(1, Math.ceil(keepAliveMs)) : 0;
  const versions = new Map<string, string>();
  await Promise.all(
    backend.slotGroups(unique).map(async (group) => {
      const keys = group.map((i) => unique[i] as string);
      const replies = await backend.run(readStampsScript, keys, [keepAlive], { batch: true });
      keys.forEach((key, i) => {
        versions.set(key, String(replies[i]));
      });
    }),
  );
  return versions;
}
