import { type RedisReply, RedisReplyError, redisCommand } from './redis-command';
import type { RedisTarget } from './redis-targets';

/**
 * Runs a raw command on the master owning `key` (a cluster answers MOVED elsewhere), to read
 * or damage what an engine wrote, behind its back.
 */
export async function onOwner(
  target: RedisTarget,
  key: string,
  args: Array<string | number>,
): Promise<RedisReply> {
  for (const master of target.masters()) {
    try {
      return await redisCommand(master, args);
    } catch (error) {
      if (error instanceof RedisReplyError && error.message.startsWith('MOVED')) continue;
      throw error;
    }
  }
  throw new Error(`no master owns ${key}`);
}
