import { setImmediate as nextTurn } from 'node:timers/promises';
import { connectIoredis, connectNodeRedis } from './clients';
import type { FaultyRedis } from './faulty-redis';
import { waitFor } from './waiting';

/** Each framework with each client: the plugins' fault tests (issue #9) run over all four. */
export const frameworkClientMatrix = [
  ['express', 'node-redis'],
  ['express', 'ioredis'],
  ['fastify', 'node-redis'],
  ['fastify', 'ioredis'],
] as const;

export type MatrixClient = (typeof frameworkClientMatrix)[number][1];

/** Connects a client of either kind through the fault proxy. */
export function faultyClient(redis: FaultyRedis, client: MatrixClient) {
  return client === 'ioredis' ? connectIoredis(redis.proxy().url) : connectNodeRedis(redis.proxy().url);
}

/**
 * Waits until `check` holds for a fresh name (`<prefix>-1`, `-2`, ...): each try starts from
 * nothing in Redis, so a half-recovered try does not spoil the next. 15 s for clients to reconnect.
 */
export async function recoversWith(prefix: string, check: (name: string) => Promise<boolean>): Promise<void> {
  let attempt = 0;
  await waitFor(() => check(`${prefix}-${++attempt}`), 15_000);
}

/** No unhandled rejection so far (`unhandled` from useUnhandledRejections), one turn after the last reply. */
export async function expectNoUnhandledRejection(unhandled: () => unknown[]): Promise<void> {
  await nextTurn();
  expect(unhandled()).toEqual([]);
}
