import type { FaultyRedis } from './faulty-redis';
import type { RawReply } from './raw-http';
import type { RedisFault } from './redis-faults';
import { type Timed, timed } from './waiting';

/**
 * Begins `fault`, sends `count` concurrent requests while it lasts, and ends it once every one
 * has settled (answered, failed or timed out by the caller's own bound).
 */
export async function loadDuringFault<T>(
  redis: FaultyRedis,
  fault: RedisFault,
  count: number,
  send: (index: number) => Promise<T>,
): Promise<Array<Timed<T>>> {
  await fault.begin(redis);
  try {
    return await Promise.all(Array.from({ length: count }, (_, index) => timed(send(index))));
  } finally {
    await fault.end(redis);
  }
}

/** Every request got a response within `bound` ms, with one of `statuses`; their replies. */
export function expectAnsweredWithin(
  outcomes: ReadonlyArray<Timed<RawReply>>,
  bound: number,
  statuses: readonly number[],
): RawReply[] {
  return outcomes.map(({ value, error, elapsed }) => {
    expect(error).toBeUndefined();
    expect(elapsed).toBeLessThan(bound);
    expect(statuses).toContain(value?.status);
    return value as RawReply;
  });
}

/** A 503 answered as RFC 9457 problem details. */
export function expectProblem503(reply: RawReply): void {
  expect(reply.status).toBe(503);
  expect(reply.headers['content-type']).toMatch(/^application\/problem\+json/);
}
