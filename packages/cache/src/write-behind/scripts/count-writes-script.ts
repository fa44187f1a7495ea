import { defineScript } from '@rediware/core';
import { memoryStream } from './memory-stream';

/** Writes in a stream not flushed yet (flushed ones are deleted). KEYS: stream. Reply: XLEN. */
export const countWritesScript = defineScript<number>({
  name: 'cache-count-writes',
  lua: `
return redis.call('XLEN', KEYS[1])
`,
  memory: ({ store }, keys) => memoryStream(store, keys[0] as string).length,
});
