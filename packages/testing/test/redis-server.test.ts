import { existsSync } from 'node:fs';
import { redisCommand, redisServerNotFound, startRedis } from '../src';

// These tests are about spawned servers; a REDIS_URL in the environment would bypass spawning.
delete process.env.REDIS_URL;

test('starts a server that answers on its loopback port, and stops it with its data dir', async () => {
  const server = await startRedis();
  expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
  expect(server.pid).toEqual(expect.any(Number));
  expect(await redisCommand(server, ['PING'])).toBe('PONG');
  const [, dir] = (await redisCommand(server, ['CONFIG', 'GET', 'dir'])) as [string, string];
  expect(existsSync(dir)).toBe(true);

  await server.stop();
  expect(server.pid).toBeUndefined();
  expect(existsSync(dir)).toBe(false);
  await expect(redisCommand(server, ['PING'])).rejects.toThrow(/ECONNREFUSED/);
  await server.stop();
});

test('passes extra arguments to redis-server', async () => {
  const server = await startRedis({ args: ['--maxmemory', '1mb'] });
  expect(await redisCommand(server, ['CONFIG', 'GET', 'maxmemory'])).toEqual(['maxmemory', '1048576']);
  await server.stop();
});

test('restarts on the same port as a fresh process with an empty script cache', async () => {
  const server = await startRedis();
  const { port, pid } = server;
  const sha = await redisCommand(server, ['SCRIPT', 'LOAD', 'return 1']);
  expect(await redisCommand(server, ['SCRIPT', 'EXISTS', String(sha)])).toEqual([1]);

  await server.restart();
  expect(server.port).toBe(port);
  expect(server.pid).not.toBe(pid);
  expect(await redisCommand(server, ['SCRIPT', 'EXISTS', String(sha)])).toEqual([0]);
  await server.stop();
});

test('kill() is a crash: the server is gone until restart()', async () => {
  const server = await startRedis();
  await redisCommand(server, ['SET', 'k', 'v']);
  await server.kill();
  expect(server.pid).toBeUndefined();
  await expect(redisCommand(server, ['PING'])).rejects.toThrow(/ECONNREFUSED/);

  await server.restart();
  expect(await redisCommand(server, ['PING'])).toBe('PONG');
  // Persistence is off, so a crash loses everything.
  expect(await redisCommand(server, ['GET', 'k'])).toBeNull();
  await server.stop();
});

test('fails with one actionable line when redis-server is not installed', async () => {
  const path = process.env.PATH;
  process.env.PATH = '';
  try {
    await expect(startRedis()).rejects.toThrow(redisServerNotFound);
    expect(redisServerNotFound).not.toContain('\n');
  } finally {
    process.env.PATH = path;
  }
});

test('fails with the server output when redis-server refuses to start', async () => {
  await expect(startRedis({ args: ['--no-such-option', 'x'] })).rejects.toThrow(
    /exited during startup[\s\S]*no-such-option/,
  );
});

test('with REDIS_URL, uses that server and never stops it', async () => {
  const real = await startRedis();
  process.env.REDIS_URL = real.url;
  try {
    const server = await startRedis();
    expect(server).toMatchObject({ host: '127.0.0.1', port: real.port, url: real.url, pid: undefined });
    await server.stop();
    expect(await redisCommand(real, ['PING'])).toBe('PONG');
    await expect(server.kill()).rejects.toThrow(/REDIS_URL/);
    await expect(server.restart()).rejects.toThrow(/REDIS_URL/);
  } finally {
    delete process.env.REDIS_URL;
    await real.stop();
  }
});
