import { defineScript } from '@rediware/core';
import { giveBack, luaGiveBack } from './write-entry-settled-script';

/**
 * Gives the loader lock back without writing, in one round trip: deleted only if still ours (a
 * loader slower than the lock ttl must not delete the lock another process took meanwhile), and a
 * release published on the bus (time 0: the waiters wake and retry, no L1 evicts anything).
 * KEYS: lock. ARGV: token, bus channel, bus message up to its time.
 */
export const releaseLockScript = defineScript<null>({
  name: 'cache-release-lock',
  lua: `${luaGiveBack}
give_back(KEYS[1], ARGV[1], ARGV[2], ARGV[3])
return false
`,
  memory: (context, keys, args) => {
    giveBack(context, keys[0] as string, args[0], args[1], args[2]);
    return null;
  },
});
