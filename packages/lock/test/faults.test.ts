import type { RedisClient } from '@rediware/core';
import {
  buildExpressApp,
  buildFastifyApp,
  closeClient,
  expectAnsweredWithin,
  expectNoUnhandledRejection,
  expectProblem503,
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
import { lockGuard } from '../src/express';
import lockPlugin from '../src/fastify';

// Issue #9: every Redis fault through both adapters and both clients, 20 concurrent requests each.

const faulty = useFaultyRedis();
const unhandled = useUnhandledRejections();
const timeout = 200;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const margin = 1_000;

interface GuardedApp extends ListeningApp {
  /** Closes the app, then the guard's locker. */
  shutdown(): Promise<void>;
}

/** GET /orders/:id is guarded by a lock on :id and answers its fencing token. */
const frameworks = {
  express: async (redis: RedisClient): Promise<GuardedApp> => {
    const guard = lockGuard({ redis, timeout, key: (req) => String(req.params.id), ttl: '30s' });
    const app = await listenExpress(
      buildExpressApp((express) =>
        express.get('/orders/:id', guard, (req, res) => void res.json({ token: req.lock?.fencingToken })),
      ),
    );
    return { ...app, shutdown: () => app.close().finally(() => guard.close()) };
  },
  fastify: async (redis: RedisClient): Promise<GuardedApp> => {
    const fastify = await buildFastifyApp(async (instance) => {
      await instance.register(lockPlugin, { redis, timeout });
      instance.get(
        '/orders/:id',
        { config: { lock: { key: (request) => (request.params as { id: string }).id, ttl: '30s' } } },
        async (request) => ({ token: request.lock?.fencingToken }),
      );
    });
    const app = await listenFastify(fastify);
    return { ...app, shutdown: () => app.close() };
  },
};

const order = (app: ListeningApp, id: string) => rawRequest(`${app.url}/orders/${id}`, {});

/** The guard grants locks again: a fresh key's request runs its handler with a fencing token. */
function expectGrantingAgain(app: ListeningApp): Promise<void> {
  return recoversWith('recovered', async (id) => {
    const reply = await order(app, id);
    return reply.status === 200 && typeof JSON.parse(reply.body.toString()).token === 'number';
  });
}

describe.each(frameworkClientMatrix)('%s lock guard with %s', (framework, client) => {
  it.each(redisFaults(timeout * 3).map((fault) => [fault.name, fault] as const))(
    'Redis %s under 20 concurrent requests: answered within the timeout, 503 while it lasts, then granting again',
    async (_, fault) => {
      const redis = await faultyClient(faulty, client);
      const app = await frameworks[framework](redis);
      try {
        await expectGrantingAgain(app);
        const outcomes = await loadDuringFault(faulty, fault, 20, (i) => order(app, `during-${i}`));
        const replies = expectAnsweredWithin(outcomes, timeout + margin, fault.lasting ? [503] : [200, 503]);
        for (const reply of replies) if (reply.status === 503) expectProblem503(reply);
        await expectGrantingAgain(app);
        await expectNoUnhandledRejection(unhandled);
      } finally {
        await app.shutdown();
        await closeClient(redis);
      }
    },
    30_000,
  );
});
