import express from 'express';
import Fastify from 'fastify';
import { blockedPath, cachePath, largeCachePath, largePayload, loginPath, mainPath, payload } from './routes';
import type { ServerFactory } from './server-types';

// The ceiling: the same routes and handler with no middleware at all.

export const expressBare: ServerFactory = async () => {
  const app = express();
  for (const path of [mainPath, blockedPath, loginPath, cachePath])
    app.get(path, (_req, res) => void res.json(payload));
  app.get(largeCachePath, (_req, res) => void res.json(largePayload));
  // The POST rows' ceiling (idempotency): the body parsed as their routes parse it.
  app.post(mainPath, express.json(), (_req, res) => void res.json(payload));
  return { app: { framework: 'express', app }, close: async () => {} };
};

export const fastifyBare: ServerFactory = async () => {
  const app = Fastify({ logger: false });
  for (const path of [mainPath, blockedPath, loginPath, cachePath]) app.get(path, async () => payload);
  app.get(largeCachePath, async () => largePayload);
  app.post(mainPath, async () => payload);
  return { app: { framework: 'fastify', app }, close: async () => {} };
};
