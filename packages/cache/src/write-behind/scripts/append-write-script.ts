import { defineScript } from '@rediware/core';
import { memoryStream } from './memory-stream';

/**
 * Appends one write to a write-behind stream.
 * KEYS: stream. ARGV: key, namespace ('' for none), value bytes, value kind. Reply: the entry id.
 */
export const appendWriteScript = defineScript<string>({
  name: 'cache-append-write',
  lua: `
return redis.call('XADD', KEYS[1], '*', 'k', ARGV[1], 'n', ARGV[2], 'v', ARGV[3], 'c', ARGV[4])
`,
  memory: ({ store, now }, keys, args) =>
    memoryStream(store, keys[0] as string).add(
      args.map((arg) => (Buffer.isBuffer(arg) ? Buffer.from(arg) : Buffer.from(String(arg)))),
      now,
    ),
});
