import {
  closeAllClients,
  connectIoredis,
  connectNodeRedis,
  expectNoUnhandledRejection,
  startRedis,
} from '@rediware/testing';
import express from 'express';
import request from 'supertest';
import { rateLimit } from '../src/express';
import { clientKinds, type Refusal, useRefusingRedis } from './refusing-redis';

/**
 * A Redis that answers but refuses our commands (wrong password, ACL, wrong key type, out of
 * memory) is a configuration error, not an outage: the request goes to Express's error handlers
 * as a 500 `RedisRefusedError`, never admitted unlimited, unless `failOpen: 'always'`. A Redis
 * that does not answer at all still fails open.
 */
const { refusals, unhandled } = useRefusingRedis();
const timeout = 300;
let prefixCounter = 0;
let warn: jest.SpiedFunction<typeof process.emitWarning>;
beforeAll(() => {
  warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => {});
});
afterAll(() => warn.mockRestore());
// The clients of the stopped servers below would retry for ever and keep the test process alive.
afterAll(() => closeAllClients());

type FailOpen = boolean | 'always';

function app(
  redis: unknown,
  prefix: string,
  failOpen?: FailOpen,
  more: Partial<Parameters<typeof rateLimit>[0]> = {},
): express.Express {
  return express()
    .use(
      rateLimit({
        redis: redis as never,
        prefix,
        limit: 5,
        window: '1m',
        timeout,
        ...(failOpen === undefined ? {} : { failOpen }),
        ...more,
      }),
    )
    .get('/', (_req, res) => void res.send('ok'))
    .use(
      (
        error: { statusCode?: number; toProblem?: () => unknown },
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        res
          .status(error.statusCode ?? 500)
          .type('application/problem+json')
          .send(JSON.stringify(error.toProblem?.() ?? { status: 500 }));
      },
    );
}

describe.each(refusals)('Express, Redis refuses: $name ($replyCode)', (refusal) => {
  describe.each(clientKinds)('%s', (kind) => {
    it.each([
      ['by default', undefined],
      ['with failOpen: true', true],
      ['with failOpen: false', false],
    ] as Array<[string, FailOpen | undefined]>)(
      '%s: a 500 RedisRefusedError through next(err), never admitted',
      async (_, failOpen) => {
        const prefix = `rwrefused${++prefixCounter}:`;
        const server = await refusal.serve(kind, async (redis) => app(redis, prefix, failOpen));
        if (refusal.spoil) {
          await request(server).get('/').expect(200);
          await refusal.spoil(prefix);
        }
        for (let i = 0; i < 3; i++) {
          const response = await request(server).get('/').timeout(5_000);
          expect(response.status).toBe(500);
          expect(JSON.parse(response.text)).toMatchObject({
            status: 500,
            type: expect.stringMatching(/ERR_RW_REDIS_REFUSED$/),
            detail: expect.stringContaining(refusal.replyCode),
          });
        }
        await expectNoUnhandledRejection(unhandled);
      },
    );

    it("with failOpen: 'always': admitted, as for an outage", async () => {
      const prefix = `rwrefused${++prefixCounter}:`;
      const server = await refusal.serve(kind, async (redis) => app(redis, prefix, 'always'));
      if (refusal.spoil) {
        await request(server).get('/').expect(200);
        await refusal.spoil(prefix);
      }
      for (let i = 0; i < 8; i++) await request(server).get('/').timeout(5_000).expect(200);
      await expectNoUnhandledRejection(unhandled);
    });
  });
});

describe.each([
  ['node-redis', connectNodeRedis],
  ['ioredis', connectIoredis],
] as const)('Express, Redis stopped (%s): an outage', (_, connect) => {
  it.each([
    [undefined, 200],
    [true, 200],
    ['always', 200],
    [false, 503],
  ] as Array<[FailOpen | undefined, number]>)('failOpen %s answers %d', async (failOpen, status) => {
    const own = await startRedis();
    const redis = await connect(own.url);
    const server = app(redis, `rwrefused${++prefixCounter}:`, failOpen);
    await own.stop();
    for (let i = 0; i < 3; i++) await request(server).get('/').timeout(5_000).expect(status);
    await expectNoUnhandledRejection(unhandled);
  });
});

describe('Express, Redis refuses: the rest of the policy', () => {
  it('memoryFallback applies only when failing open: a refusal is still a 500', async () => {
    const refusal = refusals.find((each) => each.replyCode === 'NOPERM') as Refusal;
    const prefix = `rwrefused${++prefixCounter}:`;
    const server = await refusal.serve('ioredis', async (redis) =>
      app(redis, prefix, true, { memoryFallback: true }),
    );
    for (let i = 0; i < 3; i++) await request(server).get('/').timeout(5_000).expect(500);
  });

  it('each refusal met above, dozens of times, was logged once: one process warning per reply code', () => {
    const refused = warn.mock.calls
      .filter(([, options]) => (options as { code?: string } | undefined)?.code === 'RW_REDIS_REFUSED')
      .map(([message]) => /\(([A-Z]+) /.exec(String(message))?.[1]);
    expect(refused.sort()).toEqual(['NOAUTH', 'NOPERM', 'OOM', 'WRONGPASS', 'WRONGTYPE']);
  });
});
