import { type RawReply, type RedisServer, rawRequest, startRedis } from '@rediware/testing';
import fc from 'fast-check';
import { Redis } from 'ioredis';
import { type AppWorker, type Framework, startAppWorker } from './app-worker';
import { cookieFor, signedIdFrom } from './session-cookies';

// Records written straight into Redis behind the store's back, read through express-session and
// @fastify/session, each app in its own process (see app-worker.ts), so a crash shows as a dead
// app and a hang as a request with no answer. Each must be no session (a fresh one, 200) and a
// `corrupt` event: never a 500, a hang or an exit.

const prefix = 'rwcorrupt:sess:';
const dataKey = (id: string) => `${prefix}sid:{${id}}:data`;
let server: RedisServer;
let redis: Redis;
const apps = new Map<Framework, AppWorker>();

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
  for (const framework of ['express', 'fastify'] as const) {
    apps.set(
      framework,
      await startAppWorker(framework, { redis: { kind: 'ioredis', url: server.url }, prefix }),
    );
  }
}, 60_000);
afterAll(async () => {
  await Promise.all([...apps.values()].map((app) => app.close()));
  redis?.disconnect();
  await server?.stop();
});

type Write = (key: string) => Promise<unknown>;

/** A hash as the store writes one, with `data` (and the expiry fields) as given. */
function record(data: string | Buffer, fields: Record<string, string> = {}): Write {
  const expires = String(Date.now() + 3_600_000);
  return async (key) => {
    await redis.del(key);
    await redis.hset(key, { data, expires, user: '', deadline: expires, ...fields });
    await redis.pexpire(key, 3_600_000);
  };
}

/** A session with a cookie as both frameworks store it, plus `extra` at the top or in the cookie. */
function session(cookie: Record<string, unknown>, extra = ''): Write {
  const json = JSON.stringify({
    cookie: { originalMaxAge: 3_600_000, path: '/', httpOnly: true, ...cookie },
  });
  return record(extra === '' ? json : `${json.slice(0, -1)},${extra}}`);
}

const corruptRecords: Array<[string, Write]> = [
  ['arbitrary JSON without a cookie', record('{"foo":1}')],
  ['a JSON string', record('"session"')],
  ['a JSON number', record('42')],
  ['JSON null', record('null')],
  ['a JSON array', record('[{"cookie":{}}]')],
  ['a cookie that is null', record('{"cookie":null}')],
  ['a cookie that is a string', record('{"cookie":"x"}')],
  ['a cookie that is an array', record('{"cookie":[1,2]}')],
  ['originalMaxAge a string', session({ originalMaxAge: 'x' })],
  ['originalMaxAge a numeric string', session({ originalMaxAge: '60000' })],
  ['originalMaxAge an object', session({ originalMaxAge: { ms: 1 } })],
  ['originalMaxAge "NaN"', session({ originalMaxAge: 'NaN' })],
  ['originalMaxAge negative', session({ originalMaxAge: -1_000 })],
  ['originalMaxAge past any date', session({ originalMaxAge: 1e300 })],
  ['maxAge a string', session({ maxAge: 'x' })],
  ['maxAge an object', session({ maxAge: {} })],
  ['maxAge negative', session({ maxAge: -5 })],
  ['expires in the data an invalid date', session({ expires: 'not a date' })],
  ['expires in the data an object', session({ expires: { at: 1 } })],
  ['expires in the data a number', session({ expires: 12 })],
  ['_expires a string', session({ _expires: 'x' })],
  ['_expires an object', session({ _expires: {} })],
  ['_expires a negative year', session({ _expires: '-000005-01-01T00:00:00.000Z' })],
  ['originalExpires an invalid date', session({ originalExpires: 'soon' })],
  ['domain not a domain', session({ domain: 'not a domain;' })],
  ['path with a semicolon', session({ path: '/;x' })],
  ['sameSite unknown', session({ sameSite: 'sideways' })],
  ['priority unknown', session({ priority: 'urgent' })],
  ['secure a string', session({ secure: 'yes' })],
  ['httpOnly a number', session({ httpOnly: 1 })],
  ['a cookie field hiding a Cookie method', session({ serialize: 1 })],
  ['the expires field beside the data not a number', record('{"cookie":{}}', { expires: 'abc' })],
  ['the expires field beside the data negative', record('{"cookie":{}}', { expires: '-5' })],
  ['the expires field beside the data past any date', record('{"cookie":{}}', { expires: '1e300' })],
  ['__proto__ at the top', session({}, '"__proto__":{"save":1,"cookie":null}')],
  ['__proto__ in the cookie', record('{"cookie":{"__proto__":{"expires":"x"}}}')],
  ['__proto__ deep in the data', session({}, '"a":{"b":[1,{"__proto__":{"polluted":true}}]}')],
  ['constructor at the top', session({}, '"constructor":{"prototype":{"x":1}}')],
  ['constructor deep in the data', session({}, '"a":[[{"constructor":1}]]')],
  ['prototype in the cookie', record('{"cookie":{"prototype":{}}}')],
  ['a key that replaces save()', session({}, '"save":1')],
  ['a key that replaces isModified()', session({}, '"isModified":"x"')],
  ['a key that replaces regenerate()', session({}, '"regenerate":null')],
  ['data nested 5,000 deep', session({}, `"deep":${'['.repeat(5_000)}${']'.repeat(5_000)}`)],
  ['non-JSON bytes', record(Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x7b]))],
  ['truncated JSON', record('{"cookie":{"originalMaxAge":')],
  ['a string key', (key) => redis.del(key).then(() => redis.set(key, '{"cookie":{}}'))],
  ['a list key', (key) => redis.del(key).then(() => redis.rpush(key, 'data', '{"cookie":{}}'))],
  ['a set key', (key) => redis.del(key).then(() => redis.sadd(key, 'data'))],
  ['a sorted set key (the user index type)', (key) => redis.del(key).then(() => redis.zadd(key, 1, 'data'))],
];

function json(reply: RawReply): unknown {
  return JSON.parse(reply.body.toString('utf8'));
}

async function login(app: AppWorker, framework: Framework): Promise<{ id: string; cookie: string }> {
  const reply = await rawRequest(`${app.url}/login?user=alice`, {}, 'POST');
  expect(reply.status).toBe(200);
  const signedId = signedIdFrom(String(reply.headers['set-cookie'])) as string;
  return { id: (json(reply) as { id: string }).id, cookie: cookieFor(framework, signedId) };
}

/** The app answers at all: a crashed process refuses the connection. */
async function expectAlive(app: AppWorker): Promise<void> {
  expect((await rawRequest(`${app.url}/me`, {})).status).toBe(200);
}

describe.each(['express', 'fastify'] as const)('corrupt records on %s', (framework) => {
  const app = () => apps.get(framework) as AppWorker;

  it.each(corruptRecords)('%s: no session, a corrupt event, then a working save', async (_name, write) => {
    const { id, cookie } = await login(app(), framework);
    await write(dataKey(id));
    const me = await rawRequest(`${app().url}/me`, { cookie });
    expect(me.status).toBe(200);
    expect(json(me)).toMatchObject({ user: null, views: 0 });
    const events = json(await rawRequest(`${app().url}/test/corrupt`, {})) as Array<{ id: string }>;
    expect(events.map((event) => event.id)).toContain(id);
    // A request that saves with the same cookie gets a new session, and it is read back.
    const count = await rawRequest(`${app().url}/count`, { cookie }, 'POST');
    expect(count.status).toBe(200);
    const fresh = signedIdFrom(String(count.headers['set-cookie'])) as string;
    const again = await rawRequest(`${app().url}/me`, { cookie: cookieFor(framework, fresh) });
    expect(json(again)).toMatchObject({ views: 1 });
    await expectAlive(app());
  });

  it('any JSON value or any bytes stored as a session: never a 5xx, the app stays up', async () => {
    const cookieField = fc.constantFrom(
      'originalMaxAge',
      'maxAge',
      'expires',
      '_expires',
      'originalExpires',
      'path',
      'domain',
      'sameSite',
      'priority',
      'secure',
      'httpOnly',
      'partitioned',
      '__proto__',
    );
    const anyCookie = fc.oneof(fc.jsonValue(), fc.dictionary(cookieField, fc.jsonValue(), { maxKeys: 5 }));
    const anySession = fc.oneof(
      fc.jsonValue().map((value) => JSON.stringify(value)),
      fc
        .tuple(anyCookie, fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue(), { maxKeys: 4 }))
        .map(([cookie, rest]) => JSON.stringify({ ...rest, cookie })),
      fc.uint8Array({ maxLength: 64 }).map((bytes) => Buffer.from(bytes)),
    );
    const anyExpires = fc.oneof(
      fc.constant(String(Date.now() + 3_600_000)),
      fc.constant(''),
      fc.string({ maxLength: 8 }),
    );
    const { id, cookie } = await login(app(), framework);
    await fc.assert(
      fc.asyncProperty(anySession, anyExpires, async (data, expires) => {
        await record(data, { expires })(dataKey(id));
        const me = await rawRequest(`${app().url}/me`, { cookie });
        expect(me.status).toBe(200);
        const count = await rawRequest(`${app().url}/count`, { cookie }, 'POST');
        expect(count.status).toBe(200);
      }),
      { numRuns: 150 },
    );
    await expectAlive(app());
  }, 120_000);
});
