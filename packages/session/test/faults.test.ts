import {
  expectAnsweredWithin,
  frameworkClientMatrix,
  loadDuringFault,
  type RawReply,
  rawRequest,
  recoversWith,
  redisFaults,
  useFaultyRedis,
} from '@rediware/testing';
import { type AppWorker, startAppWorker } from './app-worker';
import { cookieFor, signedIdFrom } from './session-cookies';

// Issue #9: every Redis fault through both adapters and both clients, 20 concurrent requests each.
// Each app runs in its own process (test/express-app.ts, test/fastify-app.ts): an unhandled
// rejection there ends the process, and then it could not recover.

const faulty = useFaultyRedis();
const timeout = 200;
/** Generous: the point is that nothing hangs, not how fast it fails. */
const margin = 1_000;

describe.each(frameworkClientMatrix)('%s sessions with %s', (framework, client) => {
  let app: AppWorker;
  beforeAll(async () => {
    app = await startAppWorker(framework, {
      redis: { kind: client, url: faulty.proxy().url },
      prefix: 'rwtest:session-faults:',
      timeout: `${timeout}ms`,
    });
  }, 30_000);
  afterAll(() => app?.close());

  const me = (signedId: string) => rawRequest(`${app.url}/me`, { cookie: cookieFor(framework, signedId) });
  const userOf = (reply: RawReply) => reply.status === 200 && JSON.parse(reply.body.toString()).user;

  /** Logs `user` in: the signed session id, or undefined when the store refused. */
  async function login(user: string): Promise<string | undefined> {
    const reply = await rawRequest(`${app.url}/login?user=${user}`, {}, 'POST');
    return reply.status === 200 ? signedIdFrom(reply.headers['set-cookie']?.[0] ?? null) : undefined;
  }

  /** The store writes and reads again: a new login, then its session read back. */
  const expectLoginsAgain = () =>
    recoversWith('user', async (user) => {
      const signedId = await login(user);
      return signedId !== undefined && userOf(await me(signedId)) === user;
    });

  it.each(redisFaults(timeout * 3).map((fault) => [fault.name, fault] as const))(
    'Redis %s under 20 concurrent reads: answered within the timeout, 503 while it lasts, then logged in again',
    async (_, fault) => {
      await expectLoginsAgain();
      const signedId = (await login('alice')) as string;
      const outcomes = await loadDuringFault(faulty, fault, 20, () => me(signedId));
      const replies = expectAnsweredWithin(outcomes, timeout + margin, fault.lasting ? [503] : [200, 503]);
      for (const reply of replies)
        if (reply.status === 503)
          expect(JSON.parse(reply.body.toString()).code).toMatch(/^ERR_RW_REDIS_(TIMEOUT|UNAVAILABLE)$/);
      // A restarted server lost every session: a new login, then it is read back.
      if (!fault.emptiesData) await recoversWith('read', async () => userOf(await me(signedId)) === 'alice');
      await expectLoginsAgain();
    },
    30_000,
  );
});
