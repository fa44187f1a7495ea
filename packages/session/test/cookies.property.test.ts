import {
  allKeys,
  encodedUnicode,
  headerValue,
  type RawReply,
  type RedisServer,
  rawRequest,
  startRedis,
} from '@rediware/testing';
import { sign } from 'cookie-signature';
import fc from 'fast-check';
import { workerSecret } from './app-process';
import { type AppWorker, type Framework, startAppWorker } from './app-worker';
import { cookieFor, signedIdFrom } from './session-cookies';

// Arbitrary session cookies through express-session and @fastify/session (each app in its own
// process, see app-worker.ts): forged ones signed with the real secret, so any id reaches the
// store; real ones truncated or altered; very long ones; and any Cookie header at all.

const prefix = 'rwprop:sess:';
let redis: RedisServer;
const apps = new Map<Framework, AppWorker>();

beforeAll(async () => {
  redis = await startRedis();
  for (const framework of ['express', 'fastify'] as const) {
    apps.set(
      framework,
      await startAppWorker(framework, { redis: { kind: 'ioredis', url: redis.url }, prefix }),
    );
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([...apps.values()].map((app) => app.close()));
  await redis?.stop();
});

/** Any id an attacker could pick: cookie-safe text, tricky header bytes, Unicode, up to 4 kB. */
const anyId = fc.oneof(
  fc.string({ maxLength: 100 }),
  headerValue().map((value) => value.slice(0, 4_000)),
  encodedUnicode().map(decodeURIComponent),
  fc.string({ minLength: 1, maxLength: 4 }).map((piece) => piece.repeat(1_000)),
);

function json(reply: RawReply): unknown {
  return JSON.parse(reply.body.toString('utf8'));
}

/** A read and a write with `cookie`: a fresh, anonymous session each time, never a 5xx. */
async function expectNoSession(app: AppWorker, cookie: string): Promise<void> {
  const me = await rawRequest(`${app.url}/me`, { cookie });
  if (me.status === 431) return; // past Node's header size limit, before any app code
  expect(me.status).toBe(200);
  expect(json(me)).toMatchObject({ user: null, views: 0 });
  const count = await rawRequest(`${app.url}/count`, { cookie }, 'POST');
  expect(count.status).toBe(200);
  expect(json(count)).toEqual({ views: 1 });
}

describe.each(['express', 'fastify'] as const)('session cookies on %s', (framework) => {
  const app = () => apps.get(framework) as AppWorker;

  it('a forged id signed with the real secret is no session: the store gets any id safely', async () => {
    await fc.assert(
      fc.asyncProperty(anyId, async (id) =>
        expectNoSession(app(), cookieFor(framework, sign(id, workerSecret))),
      ),
      { numRuns: 100 },
    );
  }, 60_000);

  it('a real cookie truncated or altered is no session; intact it is still the user', async () => {
    const login = await rawRequest(`${app().url}/login?user=alice`, {}, 'POST');
    const signedId = signedIdFrom(String(login.headers['set-cookie'])) as string;
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.nat({ max: signedId.length - 1 }).map((length) => signedId.slice(0, length)),
          fc
            .tuple(fc.nat({ max: signedId.length - 1 }), fc.string({ minLength: 1, maxLength: 3 }))
            .map(([at, insert]) => signedId.slice(0, at) + insert + signedId.slice(at)),
        ),
        async (damaged) => expectNoSession(app(), cookieFor(framework, damaged)),
      ),
      { numRuns: 100 },
    );
    const me = await rawRequest(`${app().url}/me`, { cookie: cookieFor(framework, signedId) });
    expect(json(me)).toMatchObject({ user: 'alice' });
  }, 60_000);

  it('any Cookie header at all, Unicode included, gives an anonymous session or a clear 4xx, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(headerValue(), encodedUnicode()), async (cookie) => {
        const reply = await rawRequest(`${app().url}/me`, { cookie });
        if (reply.status === 431) return;
        expect(reply.status).toBe(200);
        expect(json(reply)).toMatchObject({ user: null });
      }),
      { numRuns: 100 },
    );
  }, 60_000);
});

// Last: whatever the cookies, every key the stores wrote is under the prefix.
it('left no Redis key outside its prefix', async () => {
  const keys = await allKeys(redis);
  expect(keys.length).toBeGreaterThan(0);
  expect(keys.filter((key) => !key.startsWith(prefix))).toEqual([]);
});
