import { buildExpressApp, buildFastifyApp, listenExpress, listenFastify } from '../src';

test('serves an Express app on a loopback port until closed', async () => {
  const app = buildExpressApp((app) => app.get('/hello', (_request, response) => response.send('express')));
  const listening = await listenExpress(app);
  expect(listening.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const response = await fetch(`${listening.url}/hello`);
  expect(await response.text()).toBe('express');
  await listening.close();
  await expect(fetch(`${listening.url}/hello`)).rejects.toThrow();
});

test('serves a Fastify app on a loopback port until closed', async () => {
  const app = await buildFastifyApp(async (app) => {
    app.get('/hello', async () => 'fastify');
  });
  const listening = await listenFastify(app);
  const response = await fetch(`${listening.url}/hello`);
  expect(await response.text()).toBe('fastify');
  await listening.close();
  await expect(fetch(`${listening.url}/hello`)).rejects.toThrow();
});
