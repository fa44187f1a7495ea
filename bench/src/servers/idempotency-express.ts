import { idempotency } from '@rediware/idempotency/express';
import express from 'express';
import { ioredisClient } from './redis-clients';
import { mainPath, payload } from './routes';
import type { ServerFactory } from './server-types';

// Every request carries the same Idempotency-Key (the row's header). `first`: the scope is a
// counter in the server, so each request is a new key: look up, run the handler, store the
// response before it is sent. `replay`: one scope, so the warm-up's first request stores the
// response and every measured request is replayed without running the handler. One ioredis client.

function idempotentServer(kind: 'first' | 'replay'): ServerFactory {
  return async ({ redisUrl }) => {
    const redis = await ioredisClient(redisUrl);
    let next = 0;
    const route = idempotency({ redis, ...(kind === 'first' ? { scope: () => `req:${++next}` } : {}) });
    const app = express();
    app.post(mainPath, express.json(), route, (_req, res) => void res.json(payload));
    return {
      app: { framework: 'express', app },
      close: async () => {
        await route.close();
        redis.disconnect();
      },
    };
  };
}

export const expressIdempotencyFirst = idempotentServer('first');
export const expressIdempotencyReplay = idempotentServer('replay');
