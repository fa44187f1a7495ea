import {
  allKeys,
  closeAllClients,
  connectIoredis,
  type IoredisClient,
  type RedisServer,
  redisCommand,
  startRedis,
} from '@rediware/testing';
import { type Algorithm, createRateLimiter } from '../src';
import { spoilKey } from './refusing-redis';

/**
 * A key of another type under the limiter's prefix is a refusal (WRONGTYPE), never admitted by
 * default. A counter's state that is not what the script wrote (the right type, unreadable content: a
 * partial write by hand, another tool) is a fresh key: the limiter counts from zero and writes it
 * again with an expiry, never failing every request of that key with a script error.
 */
let server: RedisServer;
let redis: IoredisClient;
let prefixCounter = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = await connectIoredis(server.url);
});
afterAll(async () => {
  await closeAllClients();
  await server.stop();
});

const stringStates: Algorithm[] = ['fixed-window', 'sliding-window', 'token-bucket'];
const windowMs = 60_000;
/** Unreadable values, some in the shape of a current state (this window's start, the time now). */
const unreadable: Array<string | ((now: number) => string)> = [
  'garbage',
  '',
  '1:2:3:4',
  ':',
  'nan',
  '-1',
  'inf',
  '1e300',
  (now) => `${now - (now % windowMs)}:nan:nan`,
  (now) => `${now - (now % windowMs)}:-5:0`,
  (now) => `${now - (now % windowMs)}:inf:0`,
  (now) => `nan:${now}`,
  (now) => `-5:${now}`,
  (now) => `-inf:${now}`,
];

describe.each(stringStates)('%s: unreadable state', (algorithm) => {
  it.each(unreadable.map((value) => [typeof value === 'string' ? value : value(0), value] as const))(
    '%j counts as a fresh key, written again with an expiry',
    async (_, value) => {
      const prefix = `rwcorrupt${++prefixCounter}:`;
      const limiter = createRateLimiter({
        redis,
        prefix,
        algorithm,
        limit: 3,
        window: windowMs,
        blockCache: false,
      });
      expect((await limiter.consume('k')).allowed).toBe(true);
      const keys = (await allKeys(server)).filter((key) => key.startsWith(prefix));
      expect(keys).toHaveLength(1);
      const key = keys[0] as string;
      await redisCommand(server, ['SET', key, typeof value === 'string' ? value : value(Date.now())]);
      for (let i = 0; i < 3; i++) expect((await limiter.consume('k')).allowed).toBe(true);
      const rejected = await limiter.consume('k');
      expect(rejected.allowed).toBe(false);
      expect(rejected.retryAfterMs).toBeGreaterThan(0);
      expect(rejected.retryAfterMs).toBeLessThanOrEqual(2 * windowMs);
      expect(Number(await redisCommand(server, ['PTTL', key]))).toBeGreaterThan(0);
      await limiter.close();
    },
  );
});

describe.each([...stringStates, 'sliding-log'] as Algorithm[])('%s: a key of another type', (algorithm) => {
  it("rejects with RedisRefusedError (WRONGTYPE) unless failOpen: 'always'", async () => {
    const prefix = `rwcorrupt${++prefixCounter}:`;
    const options = { redis, prefix, algorithm, limit: 3, window: windowMs, blockCache: false } as const;
    const strict = createRateLimiter(options);
    const lax = createRateLimiter({ ...options, failOpen: 'always' });
    expect((await strict.consume('k')).allowed).toBe(true);
    for (const key of (await allKeys(server)).filter((each) => each.startsWith(prefix))) {
      await spoilKey(server, key);
    }
    await expect(strict.consume('k')).rejects.toMatchObject({
      code: 'ERR_RW_REDIS_REFUSED',
      statusCode: 500,
      replyCode: 'WRONGTYPE',
    });
    for (let i = 0; i < 5; i++) expect((await lax.consume('k')).allowed).toBe(true);
    await Promise.all([strict.close(), lax.close()]);
  });
});
