import { defineScript } from '@rediware/core';
import { memoryStream } from './memory-stream';

/**
 * Acknowledges flushed entries and deletes them, so the stream holds only what is not flushed yet.
 * KEYS: stream, fails. ARGV: group, ids... Reply: how many were pending.
 */
export const ackWritesScript = defineScript<number>({
  name: 'cache-ack-writes',
  lua: `
local acked = redis.call('XACK', KEYS[1], ARGV[1], unpack(ARGV, 2))
redis.call('XDEL', KEYS[1], unpack(ARGV, 2))
redis.call('HDEL', KEYS[2], unpack(ARGV, 2))
return acked
`,
  memory: ({ store }, keys, args) =>
    memoryStream(store, keys[0] as string).acknowledge(args.slice(1).map(String)),
});
