import { redisCommand } from './redis-command';
import type { RedisServer } from './redis-server';

/** The password `lockDownRedis` sets, and the ACL user it adds (`no-eval:pw@` in a URL). */
export const lockedDown = { password: 'secret', noEvalUser: 'no-eval:pw@' } as const;

/**
 * Makes a running server refuse what a misconfigured deployment refuses: `requirepass` (no or a
 * wrong password: NOAUTH, WRONGPASS) and an ACL user `no-eval` (password `pw`) that may run
 * everything but EVAL and EVALSHA (NOPERM).
 */
export async function lockDownRedis(server: RedisServer): Promise<void> {
  await redisCommand(server, [
    'ACL',
    'SETUSER',
    'no-eval',
    'on',
    '>pw',
    '~*',
    '&*',
    '+@all',
    '-eval',
    '-evalsha',
  ]);
  await redisCommand(server, ['CONFIG', 'SET', 'requirepass', lockedDown.password]);
}
