import {
  closeAllClients,
  connectIoredisCluster,
  connectNodeRedisCluster,
  type RedisCluster,
  startCluster,
  throughFailover,
  useUnhandledRejections,
} from '@rediware/testing';
import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import request from 'supertest';
import { RedisStore } from '../src/express';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
  }
}

const timeoutMs = 300;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const bound = timeoutMs + 1_000;

let cluster: RedisCluster;
const unhandled = useUnhandledRejections();

beforeAll(async () => {
  cluster = await startCluster({ replicasPerMaster: 1 });
}, 60_000);
afterAll(async () => {
  await closeAllClients();
  await cluster.stop();
});

function app(store: RedisStore) {
  const server = express();
  server.use(session({ store, secret: 'test secret', resave: false, saveUninitialized: false }));
  server.post('/login', (req, res) => {
    req.session.userId = 'alice';
    res.json({ id: req.sessionID });
  });
  server.get('/me', (req, res) => res.json({ user: req.session.userId ?? null }));
  const onError: ErrorRequestHandler = (error, _req, res, _next) => {
    res.status(error.statusCode ?? 500).json({ code: error.code ?? 'unknown' });
  };
  server.use(onError);
  return server;
}

describe.each([
  ['node-redis', () => connectNodeRedisCluster(cluster)],
  ['ioredis', () => connectIoredisCluster(cluster)],
] as const)('express-session through a Redis Cluster failover with %s', (_, connect) => {
  it('fails closed (503, never a lost session) while the master dies and its replica takes over, then resumes', async () => {
    const store = new RedisStore({ redis: await connect(), prefix: 'rwtest:failover:', timeout: timeoutMs });
    const agent = request.agent(app(store));
    const { id } = (await agent.post('/login').expect(200)).body as { id: string };

    // The session's keys share the hash tag of its id: kill the master serving that slot.
    const { outcomes, restoreMaster } = await throughFailover(cluster, `{${id}}`, {
      probe: () => agent.get('/me'),
      recovered: ({ value }) => value?.status === 200,
    });

    const failed = outcomes.slice(0, -1);
    expect(failed.length).toBeGreaterThan(0);
    for (const { value, error, elapsed } of failed) {
      expect(error).toBeUndefined();
      expect(value?.status).toBe(503);
      expect(elapsed).toBeLessThan(bound);
    }
    // The session written before the failover is on the promoted replica: alice is still logged in.
    expect(outcomes.at(-1)?.value?.body).toEqual({ user: 'alice' });
    expect(unhandled()).toEqual([]);
    await store.close();
    await closeAllClients();
    await restoreMaster();
  }, 60_000);
});
