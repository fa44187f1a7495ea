import type { Backend } from '@rediware/core';
import { readStampsScript } from './scripts/read-stamps-script';

/**
 * The versions of many stamps ('' when missing), read-only: one round trip per slot group (one on
 * a standalone server), in parallel.
 */
export async function readStampVersions(
  backend: Backend,
  stampKeys: readonly string[],
): Promise<Map<string, string>> {
  const unique = [...new Set(stampKeys)];
  const versions = new Map<string, string>();
  await Promise.all(
    backend.slotGroups(unique).map(async (group) => {
      const keys = group.map((i) => unique[i] as string);
      const replies = await backend.run(readStampsScript, keys, [], { batch: true });
      keys.forEach((key, i) => {
        versions.set(key, String(replies[i]));
      });
    }),
  );
  return versions;
}
