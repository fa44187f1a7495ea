import { defineScript } from '@rediware/core';

/**
 * Renews (ARGV[3] '0') or gives up (ARGV[3] '1') a worker's lease on a stream, only if it still
 * holds it. KEYS: lease. ARGV: consumer, lease ms, release. Reply: 1 when it held the lease.
 */
export const writerLeaseScript = defineScript<number>({
  name: 'cache-writer-lease',
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
if ARGV[3] == '1' then redis.call('DEL', KEYS[1]) else redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 1
`,
  memory: ({ store }, keys, args) => {
    const leaseKey = keys[0] as string;
    if (store.get<string>(leaseKey) !== String(args[0])) return 0;
    if (String(args[2]) === '1') store.delete(leaseKey);
    else store.expire(leaseKey, Number(args[1]));
    return 1;
  },
});
