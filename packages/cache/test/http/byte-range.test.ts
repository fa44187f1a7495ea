import { type ListeningApp, type RedisTarget, useRedisTargets } from '@rediware/testing';
import { type Framework, frameworks, listenWith } from '../helpers/neutral-apps';
import { rawGet } from '../helpers/raw-get';

// RFC 9110 §14: a Range request is answered from a stored complete 200 with a 206 of that part,
// without the handler; anything but one satisfiable range gets the whole response.
const [target] = useRedisTargets(['ioredis']) as [RedisTarget];

describe.each(frameworks)('byte ranges from a stored response, %s', (framework: Framework) => {
  let app: ListeningApp;
  let calls: number;
  beforeEach(async () => {
    await target.flush();
    calls = 0;
    app = await listenWith(framework, { redis: target.client(), ttl: 0 }, () => {
      calls++;
      return {
        headers: { 'cache-control': 'max-age=3600', etag: '"r1"', 'x-test': 'kept' },
        body: '01234567890',
      };
    });
    await rawGet(`${app.url}/r`);
  });
  afterEach(() => app.close());

  it.each([
    ['bytes=0-1', '01', 'bytes 0-1/11'],
    ['bytes=5-', '567890', 'bytes 5-10/11'],
    ['bytes=-1', '0', 'bytes 10-10/11'],
    ['bytes=9-100', '90', 'bytes 9-10/11'],
  ])('Range %s: 206 %s (%s), the stored headers, no handler', async (range, text, contentRange) => {
    const part = await rawGet(`${app.url}/r`, { range });
    expect(part.status).toBe(206);
    expect(part.body).toBe(text);
    expect(part.headers['content-range']).toBe(contentRange);
    expect(part.headers['content-length']).toBe(String(text.length));
    expect(part.headers['x-test']).toBe('kept');
    expect(part.headers['x-cache']).toBe('HIT');
    expect(calls).toBe(1);
  });

  it.each([
    [{ range: 'bytes=0-1,4-5' }],
    [{ range: 'bytes=50-60' }],
    [{ range: 'lines=1-2' }],
    [{ range: 'bytes=0-1', 'if-range': '"other"' }],
    [{ range: 'bytes=0-1', 'if-range': 'W/"r1"' }],
  ])('%j: the whole stored response', async (headers) => {
    const whole = await rawGet(`${app.url}/r`, headers);
    expect(whole.status).toBe(200);
    expect(whole.body).toBe('01234567890');
    expect(whole.headers['content-range']).toBeUndefined();
  });

  it('an If-Range with the stored strong ETag gets the part', async () => {
    const part = await rawGet(`${app.url}/r`, { range: 'bytes=0-1', 'if-range': '"r1"' });
    expect(part.status).toBe(206);
    expect(part.body).toBe('01');
  });
});
