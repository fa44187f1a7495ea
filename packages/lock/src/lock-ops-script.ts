import { defineScript } from '@rediware/core';
import { type AcquireReply, acquireLua, acquireMemory } from './acquire-script';
import { permitsLua } from './permits';
import { releaseLua, releaseMemory } from './release-script';

/** One reply per operation, in order: an AcquireReply for an acquire, the keys held for a release. */
export type LockOpsReply = (AcquireReply | number)[];

/**
 * Acquires and releases, any number of them, in one script run in the order given: the
 * operations that several requests started in one event-loop turn cost Redis one script call
 * instead of one each. ARGV, per operation: `a, n, owner, ttl ms, limit` (an acquire of n keys:
 * n holder keys, their n per-key fencing counters and their slot's counter in KEYS) or
 * `r, n, owner` (a release of n holder keys). Each operation's keys follow the previous one's.
 */
export const lockOpsScript = defineScript<LockOpsReply>({
  name: 'lock-ops',
  lua: `${permitsLua}${acquireLua}${releaseLua}
local reply = {}
local base, i = 0, 1
while i <= #ARGV do
  local n, owner = tonumber(ARGV[i + 1]), ARGV[i + 2]
  if ARGV[i] == 'a' then
    reply[#reply + 1] = acquire(base, n, owner, tonumber(ARGV[i + 3]), tonumber(ARGV[i + 4]))
    base, i = base + 2 * n + 1, i + 5
  else
    reply[#reply + 1] = release(base, n, owner)
    base, i = base + n, i + 3
  end
end
return reply`,
  memory(context, keys, args) {
    const reply: LockOpsReply = [];
    let base = 0;
    let i = 0;
    while (i < args.length) {
      const n = Number(args[i + 1]);
      const owner = String(args[i + 2]);
      if (args[i] === 'a') {
        const opKeys = keys.slice(base, base + 2 * n + 1);
        reply.push(acquireMemory(context, opKeys, owner, Number(args[i + 3]), Number(args[i + 4])));
        base += 2 * n + 1;
        i += 5;
      } else {
        reply.push(releaseMemory(context, keys.slice(base, base + n), owner));
        base += n;
        i += 3;
      }
    }
    return reply;
  },
});
