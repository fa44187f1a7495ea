import { defineScript } from '@rediware/core';

/**
 * Reads a version stamp (of a tag or a namespace) and changes nothing: a missing stamp is '', so
 * reading the stamps of a path nobody stored leaves no key (settleStampScript creates a stamp when
 * an entry is written). An entry that recorded a version the stamp no longer holds is a miss.
 * KEYS: stamp. Reply: the version, '' when missing.
 */
export const readStampScript = defineScript<string>({
  name: 'cache-read-stamp',
  lua: `
return redis.call('GET', KEYS[1]) or ''
`,
  memory: ({ store }, keys) => store.get<string>(keys[0] as string) ?? '',
});
