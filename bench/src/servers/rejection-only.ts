import type { AddressInfo } from 'node:net';
import express from 'express';
import Fastify from 'fastify';
import { listenServer } from './listen-server';
import { rediwareExpress } from './rate-limit-express';
import { rediwareFastify } from './rate-limit-fastify';
import { blockedPath, mainPath, payload } from './routes';
import type { BenchApp, ServerFactory } from './server-types';

// The mostly-blocked run's own ceiling: a bare handler that sends, on the blocked route, the 429
// our limiter sends there, without limiting anything. What a framework pays to send that answer
// (its status, headers and problem+json body) is then measured apart from what the limiter adds.
// The answer is taken from our own plugin when the server starts, so it follows the plugin.

/** Headers the framework or Node writes on any answer: the handler must not send them twice. */
const perConnection = new Set(['date', 'connection', 'keep-alive', 'content-length', 'x-powered-by']);

export interface Answer {
  status: number;
  headers: Array<[string, string]>;
  body: string;
}

/** Requests the blocked route of the server `factory` builds until it answers 429, and keeps that answer. */
export async function firstRejection(factory: ServerFactory, redisUrl: string): Promise<Answer> {
  const built = await factory({ redisUrl });
  const server = await listenServer(built, '127.0.0.1');
  try {
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${blockedPath}`;
    for (let attempt = 0; attempt < 100; attempt++) {
      const response = await fetch(url);
      const body = await response.text();
      if (response.status !== 429) continue;
      const headers = [...response.headers].filter(([name]) => !perConnection.has(name));
      return { status: response.status, headers, body };
    }
    throw new Error(`the server never answered 429 on ${blockedPath}`);
  } finally {
    server.close();
    await built.close();
  }
}

/** Our fixed window's 429 on the blocked route. */
const ourRejection = (framework: BenchApp['framework'], redisUrl: string): Promise<Answer> =>
  firstRejection(
    framework === 'express' ? rediwareExpress('fixed-window') : rediwareFastify('fixed-window'),
    redisUrl,
  );

export const expressRejectionOnly: ServerFactory = async ({ redisUrl }) => {
  const { status, headers, body } = await ourRejection('express', redisUrl);
  const app = express();
  app.get(mainPath, (_req, res) => void res.json(payload));
  app.get(blockedPath, (_req, res) => {
    res.statusCode = status;
    for (const [name, value] of headers) res.setHeader(name, value);
    res.end(body);
  });
  return { app: { framework: 'express', app }, close: async () => {} };
};

export const fastifyRejectionOnly: ServerFactory = async ({ redisUrl }) => {
  const { status, headers, body } = await ourRejection('fastify', redisUrl);
  const app = Fastify({ logger: false });
  app.get(mainPath, async () => payload);
  app.get(blockedPath, async (_request, reply) => {
    for (const [name, value] of headers) reply.header(name, value);
    return reply.code(status).send(body);
  });
  return { app: { framework: 'fastify', app }, close: async () => {} };
};
