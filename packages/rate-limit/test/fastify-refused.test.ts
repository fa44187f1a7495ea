import {
  closeAllClients,
  connectIoredis,
  connectNodeRedis,
  expectNoUnhandledRejection,
  startRedis,
  useCleanup,
} from '@rediware/testing';
import Fastify, { type FastifyInstance } from 'fastify';
import rateLimitPlugin from '../src/fastify';
import { clientKinds, useRefusingRedis } from './refusing-redis';

/**
 * A Redis that answers but refuses our commands (wrong password, ACL, wrong key type, out of
 * memory) is a configuration error, not an outage: the request goes to Fastify's error handler as
 * a 500 `RedisRefusedError`, never admitted unlimited, unless `failOpen: 'always'`. A Redis that
 * does not answer at all still fails open.
 */
const { refusals, unhandled } = useRefusingRedis();
const defer = useCleanup();
const timeout = 300;
let prefixCounter = 0;
beforeAll(() => {
  jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
});
afterAll(() => jest.restoreAllMocks());
// The clients of the stopped servers below would retry for ever and keep the test process alive.
afterAll(() => closeAllClients());

type FailOpen = boolean | 'always';

async function app(redis: unknown, prefix: string, failOpen?: FailOpen): Promise<FastifyInstance> {
  const created = Fastify();
  defer(() => created.close());
  await created.register(rateLimitPlugin, {
    redis: redis as never,
    prefix,
    limit: 5,
    window: '1m',
    timeout,
    ...(failOpen === undefined ? {} : { failOpen }),
  });
  created.get('/', async () => 'ok');
  return created;
}

const get = (server: FastifyInstance) => server.inject({ method: 'GET', url: '/' });

describe.each(refusals)('Fastify, Redis refuses: $name ($replyCode)', (refusal) => {
  describe.each(clientKinds)('%s', (kind) => {
    it.each([
      ['by default', undefined],
      ['with failOpen: true', true],
      ['with failOpen: false', false],
    ] as Array<[string, FailOpen | undefined]>)(
      '%s: a 500 RedisRefusedError through the error handler, never admitted',
      async (_, failOpen) => {
        const prefix = `rwrefused${++prefixCounter}:`;
        const server = await refusal.serve(kind, (redis) => app(redis, prefix, failOpen));
        if (refusal.spoil) {
          expect((await get(server)).statusCode).toBe(200);
          await refusal.spoil(prefix);
        }
        for (let i = 0; i < 3; i++) {
          const response = await get(server);
          expect(response.statusCode).toBe(500);
          expect(response.json()).toMatchObject({
            code: 'ERR_RW_REDIS_REFUSED',
            message: expect.stringContaining(refusal.replyCode),
          });
        }
        await expectNoUnhandledRejection(unhandled);
      },
    );

    it("with failOpen: 'always': admitted, as for an outage", async () => {
      const prefix = `rwrefused${++prefixCounter}:`;
      const server = await refusal.serve(kind, (redis) => app(redis, prefix, 'always'));
      if (refusal.spoil) {
        expect((await get(server)).statusCode).toBe(200);
        await refusal.spoil(prefix);
      }
      for (let i = 0; i < 8; i++) expect((await get(server)).statusCode).toBe(200);
      await expectNoUnhandledRejection(unhandled);
    });
  });
});

describe.each([
  ['node-redis', connectNodeRedis],
  ['ioredis', connectIoredis],
] as const)('Fastify, Redis stopped (%s): an outage', (_, connect) => {
  it.each([
    [undefined, 200],
    [true, 200],
    ['always', 200],
    [false, 503],
  ] as Array<[FailOpen | undefined, number]>)('failOpen %s answers %d', async (failOpen, status) => {
    const own = await startRedis();
    const redis = await connect(own.url);
    const server = await app(redis, `rwrefused${++prefixCounter}:`, failOpen);
    await own.stop();
    for (let i = 0; i < 3; i++) expect((await get(server)).statusCode).toBe(status);
    await expectNoUnhandledRejection(unhandled);
  });
});
