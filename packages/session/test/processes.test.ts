import { type RedisServer, startRedis } from '@rediware/testing';
import { type AppWorker, type Framework, startAppWorker } from './app-worker';
import { cookieFor, signedIdFrom } from './session-cookies';

// 4 app processes on one Redis: 2 Express (express-session) and 2 Fastify (@fastify/session),
// each with its own RedisStore. A user's cookie is carried from one to the next, so every check
// below is a read in one process of what another process wrote.

interface App extends AppWorker {
  framework: Framework;
}

interface Reply {
  status: number;
  body: unknown;
  signedId: string | undefined;
}

let redis: RedisServer;
const apps: App[] = [];

beforeAll(async () => {
  redis = await startRedis();
  const config = {
    redis: { kind: 'ioredis', url: redis.url },
    prefix: 'rwtest:procs:',
    // The default touchAfter lets a process skip writes for sessions it saw lately: it must
    // still see every change the other processes made.
    rolling: true,
  } as const;
  const frameworks: Framework[] = ['express', 'express', 'fastify', 'fastify'];
  apps.push(
    ...(await Promise.all(
      frameworks.map(async (framework) => ({ framework, ...(await startAppWorker(framework, config)) })),
    )),
  );
}, 60_000);
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
  await redis?.stop();
});

const appAt = (index: number) => apps[index % apps.length] as App;

async function call(app: App, method: 'GET' | 'POST', path: string, signedId?: string): Promise<Reply> {
  const headers: Record<string, string> = signedId ? { cookie: cookieFor(app.framework, signedId) } : {};
  const response = await fetch(`${app.url}${path}`, { method, headers });
  return {
    status: response.status,
    body: await response.json(),
    signedId: signedIdFrom(response.headers.get('set-cookie')) ?? signedId,
  };
}

/** Logs `user` in on `app`: the new session's id and its signed cookie value. */
async function login(app: App, user: string): Promise<{ id: string; signedId: string }> {
  const reply = await call(app, 'POST', `/login?user=${user}`);
  expect(reply.status).toBe(200);
  return { id: (reply.body as { id: string }).id, signedId: reply.signedId as string };
}

it('a session created on one process is read and updated on every other, 48 users at once', async () => {
  await Promise.all(
    Array.from({ length: 48 }, async (_, user) => {
      const { id, signedId } = await login(appAt(user), `visitor-${user}`);
      // Twice round all 4 processes, each reading the count the previous one wrote, then adding one.
      for (let step = 1; step <= 8; step++) {
        const app = appAt(user + step);
        const me = await call(app, 'GET', '/me', signedId);
        expect(me).toMatchObject({ status: 200, body: { id, user: `visitor-${user}`, views: step - 1 } });
        expect((await call(app, 'POST', '/count', signedId)).body).toEqual({ views: step });
      }
    }),
  );
}, 30_000);

it('the per-user index is exact across processes, and "log out everywhere" through one ends them all', async () => {
  const users = Array.from({ length: 10 }, (_, user) => `member-${user}`);
  // Each user logs in 8 times at once, twice on each process: 80 concurrent index updates.
  const sessions = await Promise.all(
    users.map((user) => Promise.all(Array.from({ length: 8 }, (_, n) => login(appAt(n), user)))),
  );
  await Promise.all(
    sessions.map(async (mine) => {
      const ids = mine.map((session) => session.id).sort();
      for (const [n, session] of mine.entries()) {
        const listed = await call(appAt(n + 1), 'GET', '/sessions', session.signedId);
        expect((listed.body as string[]).sort()).toEqual(ids);
      }
    }),
  );
  const destroyed = await Promise.all(
    sessions.map((mine, user) => call(appAt(user), 'POST', '/logout-everywhere', mine[0]?.signedId)),
  );
  expect(destroyed.map((reply) => reply.body)).toEqual(users.map(() => ({ destroyed: 8 })));
  for (const session of sessions.flat()) {
    for (const app of apps) {
      expect((await call(app, 'GET', '/me', session.signedId)).body).toMatchObject({ user: null });
    }
  }
}, 30_000);

it('a session destroyed through one process is gone on every other, even one that just read it', async () => {
  await Promise.all(
    Array.from({ length: 24 }, async (_, user) => {
      const { signedId } = await login(appAt(user), `leaver-${user}`);
      for (const app of apps) {
        expect((await call(app, 'GET', '/me', signedId)).body).toMatchObject({ user: `leaver-${user}` });
      }
      expect((await call(appAt(user + 1), 'POST', '/logout', signedId)).status).toBe(200);
      for (const app of apps) {
        expect((await call(app, 'GET', '/me', signedId)).body).toMatchObject({ user: null });
      }
    }),
  );
}, 30_000);
