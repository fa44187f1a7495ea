import express from 'express';
import request from 'supertest';
import { rateLimit } from '../src/express';

// Memory backend: the warning is about where the limiter is created, not Redis.
const warnings: Array<{ code: string | undefined; message: string }> = [];
let emitWarning: jest.SpyInstance;
beforeAll(() => {
  emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
    const code = typeof options === 'object' ? options.code : undefined;
    if (code === 'RW_LIMITER_IN_HANDLER') warnings.push({ code, message: String(warning) });
  });
});
afterAll(() => {
  emitWarning.mockRestore();
});

describe('Express: a limiter created inside a request handler warns once', () => {
  it('does not warn for limiters created when the app starts, on app, router and route', async () => {
    const router = express.Router().use(rateLimit({ limit: 100, window: '1m' }));
    router.get('/r', (_req, res) => void res.send('ok'));
    const app = express()
      .use(rateLimit({ limit: 100, window: '1m' }))
      .use(router)
      .get('/', rateLimit({ limit: 100, window: '1m' }), (_req, res) => void res.send('ok'));
    await request(app).get('/').expect(200);
    await request(app).get('/r').expect(200);
    // A limiter created after the app served requests, outside any handler.
    rateLimit({ limit: 100, window: '1m' });
    expect(warnings).toEqual([]);
  });

  it('warns, once, when a route handler creates a limiter per request', async () => {
    const app = express().get(
      '/',
      (req, res, next) => {
        rateLimit({ limit: 1, window: '1m' })(req, res, next);
      },
      (_req, res) => void res.send('ok'),
    );
    // Each request gets a new limiter: the limit of 1 never applies.
    for (let i = 0; i < 3; i++) await request(app).get('/').expect(200);
    expect(warnings.map((warning) => warning.code)).toEqual(['RW_LIMITER_IN_HANDLER']);
    expect(warnings[0]?.message).toMatch(/Create the limiter once when the app starts/);
  });
});
