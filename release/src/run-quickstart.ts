import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { dirname, extname, join } from 'node:path';
import { describeAnswer, type QuickStartRequest } from './quickstart-requests';

/** The framework a quick start serves with: the rediware adapter it imports. */
export function quickStartFramework(code: string): 'express' | 'fastify' | undefined {
  const express = /from '@rediware\/[a-z-]+\/express'/.test(code);
  const fastify = /from '@rediware\/[a-z-]+\/fastify'/.test(code);
  return express === fastify ? undefined : express ? 'express' : 'fastify';
}

/**
 * A quick start's JavaScript as a user runs it on their machine: the client connects to
 * REDIS_URL (`createClient()` and `new Redis()` meant the local default, which the check must never
 * touch) and the app listens on `port` instead of 3000. Throws when the code does not listen on
 * 3000 exactly once or would still connect somewhere else than REDIS_URL.
 */
export function localizeQuickStart(javascript: string, port: number): string {
  const listens = javascript.match(/\.listen\(\s*(?:\{\s*port:\s*)?3000\b/g) ?? [];
  if (listens.length !== 1)
    throw new Error(
      `a quick start listens on port 3000 once (app.listen(3000), app.listen({ port: 3000 })); found ${listens.length}`,
    );
  const source = javascript
    .replace(/(\.listen\(\s*(?:\{\s*port:\s*)?)3000\b/, `$1${port}`)
    // CommonJS output calls them `(0, redis_1.createClient)()` and `new ioredis_1.Redis()`.
    .replace(/\b(createClient\)?)\(\s*\)/g, '$1({ url: process.env.REDIS_URL })')
    .replace(/\bnew ((?:\w+\.)?Redis)\(\s*\)/g, 'new $1(process.env.REDIS_URL)');
  if (!source.includes('process.env.REDIS_URL') || /localhost:6379|127\.0\.0\.1:6379/.test(source))
    throw new Error('a quick start connects with createClient(), new Redis() or process.env.REDIS_URL');
  return source;
}

/** A port nothing listens on now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Resolves once `port` accepts a connection; rejects when the child exits first or after `ms`. */
async function listening(port: number, child: ChildProcess, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`exited (${child.exitCode ?? child.signalCode}) before it listened`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => resolve(true));
      socket.once('error', () => resolve(false));
    }).catch(() => false);
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`did not listen within ${ms / 1000} s`);
}

/**
 * Runs the emitted JavaScript of a quick start (`emitted`, an ES module or CommonJS file in the consumer) with node,
 * against `redisUrl`, sends it `requests` with the cookies it sets, then stops it. Resolves to the
 * answers (describeAnswer: the status, and the headers each request expects) and what it printed;
 * rejects with its output when it did not start or a request failed.
 */
export async function runQuickStart(
  emitted: string,
  requests: QuickStartRequest[],
  redisUrl: string,
): Promise<{ answers: string[]; output: string }> {
  const port = await freePort();
  const file = join(dirname(emitted), `run-${port}${extname(emitted)}`);
  writeFileSync(file, localizeQuickStart(readFileSync(emitted, 'utf8'), port));
  // A developer's shell: no NODE_ENV, the two variables the quick starts read.
  const { NODE_ENV: _unset, ...env } = process.env;
  const child = spawn(process.execPath, [file], {
    cwd: dirname(file),
    env: {
      ...env,
      REDIS_URL: redisUrl,
      SESSION_SECRET: 'a-secret-of-at-least-32-characters-for-the-quick-start',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const answers: string[] = [];
  try {
    await listening(port, child, 20_000);
    let cookies = new Map<string, string>();
    for (const { method, path, headers = {}, send = {}, json } of requests) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, {
        method,
        redirect: 'manual',
        headers: {
          ...send,
          ...(json === undefined ? {} : { 'content-type': 'application/json' }),
          ...(cookies.size > 0
            ? { cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join('; ') }
            : {}),
        },
        ...(json === undefined ? {} : { body: JSON.stringify(json) }),
        signal: AbortSignal.timeout(10_000),
      });
      await response.arrayBuffer();
      answers.push(
        describeAnswer(
          response.status,
          Object.fromEntries(Object.keys(headers).map((name) => [name, response.headers.get(name)])),
        ),
      );
      cookies = new Map([
        ...cookies,
        ...response.headers.getSetCookie().map((line) => {
          const [pair = ''] = line.split(';');
          const at = pair.indexOf('=');
          return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()] as [string, string];
        }),
      ]);
    }
    return { answers, output };
  } catch (error) {
    throw new Error(
      `${error instanceof Error ? error.message : String(error)} (answered ${answers.join(', ') || 'nothing'}):\n${output}`,
    );
  } finally {
    child.kill('SIGKILL');
    await exited;
    rmSync(file, { force: true });
  }
}
