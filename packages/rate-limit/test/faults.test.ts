import type { RedisClient } from '@rediware/core';
import {
  buildExpressApp,
  buildFastifyApp,
  closeClient,
  expectAnsweredWithin,
  expectNoUnhandledRejection,
  faultyClient,
  frameworkClientMatrix,
  type ListeningApp,
  listenExpress,
  listenFastify,
  loadDuringFault,
  rawRequest,
  recoversWith,
  redisFaults,
  useFaultyRedis,
  useUnhandledRejections,
} from '@rediware/testing';
import { rateLimit } from '../src/express';
import rateLimitPlugin from '../src/fastify';

// Issue #9: every Redis fault through both adapters and both clients, 20 concurrent requests each.

const faulty = useFaultyRedis();
const unhandled = useUnhandledRejections();
const timeout = 200;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const margin = 1_000;
const limit = 5;

/** Requests are limited per `x-key` header, so each phase of a test counts from zero. */
const options = (redis: RedisClient) => ({
  redis,
  limit,
  window: '1m' as const,
  timeout,
  prefix: 'rwtest:rl-faults:',
  key: (req: { headers: Record<string, unknown> }) => String(req.headers['x-key']),
});

const frameworks = {
  express: (redis: RedisClient) =>
    listenExpress(
      buildExpressApp((app) =>
        app.use(rateLimit(options(redis))).get('/', (_req, res) => void res.send('ok')),
      ),
    ),
  fastify: async (redis: RedisClient) =>
    listenFastify(
      await buildFastifyApp(async (app) => {
        await app.register(rateLimitPlugin, options(redis));
        app.get('/', async () => 'ok');
      }),
    ),
};

const get = (app: ListeningApp, key: string) => rawRequest(`${app.url}/`, { 'x-key': key });

/** Redis counts again: a fresh key gets `limit` 200s, then a 429. */
function expectCountingAgain(app: ListeningApp): Promise<void> {
  return recoversWith('recovered', async (key) => {
    const statuses: number[] = [];
    for (let i = 0; i <= limit; i++) statuses.push((await get(app, key)).status);
    return statuses.join() === [...Array(limit).fill(200), 429].join();
  });
}

describe.each(frameworkClientMatrix)('%s rate limit with %s', (framework, client) => {
  it.each(redisFaults(timeout * 3).map((fault) => [fault.name, fault] as const))(
    'Redis %s under 20 concurrent requests: answered within the timeout, failing open, then counting again',
    async (_, fault) => {
      const redis = await faultyClient(faulty, client);
      const app = await frameworks[framework](redis);
      try {
        await expectCountingAgain(app);
        // 20 requests on one key of limit 5: with Redis counting, 15 would be 429.
        const outcomes = await loadDuringFault(faulty, fault, 20, () => get(app, 'during'));
        const replies = expectAnsweredWithin(outcomes, timeout + margin, fault.lasting ? [200] : [200, 429]);
        if (fault.lasting) expect(replies.every((reply) => reply.body.toString() === 'ok')).toBe(true);
        await expectCountingAgain(app);
        await expectNoUnhandledRejection(unhandled);
      } finally {
        await app.close();
        await closeClient(redis);
      }
    },
    30_000,
  );
});
