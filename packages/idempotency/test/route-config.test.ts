import { RediwareConfigError } from '@rediware/core';
import Fastify from 'fastify';
import { idempotency } from '../src/express';
import idempotencyPlugin from '../src/fastify';

describe('options', () => {
  it.each([
    [{ ttl: 'soon' }, 'idempotency.ttl'],
    [{ maxBodySize: -1 }, 'idempotency.maxBodySize'],
    [{ scope: 'user' }, 'idempotency.scope'],
    [{ requierd: true }, 'requierd'],
  ])('Express: %j throws a config error naming %s', (options, option) => {
    expect(() => idempotency(options as never)).toThrow(RediwareConfigError);
    expect(() => idempotency(options as never)).toThrow(option);
  });

  it('Fastify: a bad config.idempotency fails when the route is added', async () => {
    const app = Fastify();
    await app.register(idempotencyPlugin);
    expect(() =>
      app.post('/p', { config: { idempotency: { wait: 'later' } as never } }, async () => 'ok'),
    ).toThrow('config.idempotency.wait');
    await app.close();
  });

  it('Fastify: warns once about a config key that looks like a misspelt `idempotency`', async () => {
    const seen: string[] = [];
    const spy = jest.spyOn(process, 'emitWarning').mockImplementation((warning, options) => {
      if (typeof options === 'object' && options.code === 'RW_ROUTE_CONFIG_TYPO') seen.push(String(warning));
    });
    try {
      const app = Fastify();
      await app.register(idempotencyPlugin);
      app.post('/p', { config: { idempotancy: { required: true } } as never }, async () => 'ok');
      await app.ready();
      await app.close();
    } finally {
      spy.mockRestore();
    }
    expect(seen).toEqual([expect.stringContaining('idempotancy')]);
  });
});
