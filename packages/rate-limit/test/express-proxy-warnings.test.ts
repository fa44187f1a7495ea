import express from 'express';
import request from 'supertest';
import { rateLimit } from '../src/express';

// Memory backend: the warnings are about the app's proxy setup, not Redis.
const warnings: Array<{ code: string | undefined; message: string }> = [];
let emitWarning: jest.SpyInstance;
beforeAll(() => {
  emitWarning = jest.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
    const code = typeof options === 'object' ? options.code : undefined;
    if (code?.startsWith('RW_TRUST') || code?.startsWith('RW_UNTRUSTED'))
      warnings.push({ code, message: String(warning) });
  });
});
afterAll(() => {
  emitWarning.mockRestore();
});

function app(trustProxy: boolean | number) {
  return express()
    .set('trust proxy', trustProxy)
    .use(rateLimit({ limit: 100, window: '1m' }))
    .get('/', (_req, res) => void res.send('ok'));
}

describe("Express: warnings about the app's proxy setup, once each", () => {
  it('warns when X-Forwarded-For arrives and no proxy is trusted, and when every proxy is', async () => {
    await request(app(1)).get('/').set('x-forwarded-for', '203.0.113.9').expect(200);
    await request(app(false)).get('/').expect(200);
    expect(warnings).toEqual([]);

    for (let i = 0; i < 3; i++)
      await request(app(false)).get('/').set('x-forwarded-for', '203.0.113.9').expect(200);
    expect(warnings.map((warning) => warning.code)).toEqual(['RW_UNTRUSTED_FORWARDED_FOR']);
    expect(warnings[0]?.message).toMatch(/app\.set\('trust proxy', 1\)/);

    for (let i = 0; i < 3; i++) await request(app(true)).get('/').expect(200);
    expect(warnings.map((warning) => warning.code)).toEqual([
      'RW_UNTRUSTED_FORWARDED_FOR',
      'RW_TRUST_PROXY_PERMISSIVE',
    ]);
    expect(warnings[1]?.message).toMatch(/escapes a limit/);
  });
});
