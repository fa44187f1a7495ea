import type { ErrorRequestHandler, Express } from 'express';
import type { CorruptSessionEvent } from '../src';
import type { RedisStore } from '../src/express';

declare module 'express-session' {
  interface SessionData {
    userId?: string;
    views?: number;
  }
}

/**
 * The session routes every Express test app serves (the same as fastify-app.ts): log in (a new id
 * at the privilege change, as express-session recommends), read, count, log out, log out
 * everywhere, list the user's sessions; and the store's `corrupt` events so far.
 */
export function addSessionRoutes(app: Express, store: RedisStore): void {
  const corrupt: Array<{ id: string; error: string }> = [];
  store.on('corrupt', (event: CorruptSessionEvent) =>
    corrupt.push({ id: event.id, error: String(event.error) }),
  );
  app.get('/test/corrupt', (_req, res) => {
    res.json(corrupt);
  });
  app.post('/login', (req, res, next) => {
    req.session.regenerate((error) => {
      if (error) return next(error);
      req.session.userId = String(req.query.user);
      req.session.save((saveError) => (saveError ? next(saveError) : res.json({ id: req.sessionID })));
    });
  });
  app.get('/me', (req, res) => {
    res.json({ id: req.sessionID, user: req.session.userId ?? null, views: req.session.views ?? 0 });
  });
  app.post('/count', (req, res) => {
    req.session.views = (req.session.views ?? 0) + 1;
    res.json({ views: req.session.views });
  });
  app.post('/logout', (req, res, next) => {
    req.session.destroy((error) => (error ? next(error) : res.json({ ok: true })));
  });
  app.post('/logout-everywhere', async (req, res) => {
    res.json({ destroyed: await store.destroyUserSessions(String(req.session.userId)) });
  });
  app.get('/sessions', async (req, res) => {
    res.json(await store.listUserSessions(String(req.session.userId)));
  });
}

/** Mount last: a store error becomes its status (503 for Redis) and its code, as JSON. */
export const sessionErrors: ErrorRequestHandler = (error, _req, res, _next) => {
  res.status(error.statusCode ?? 500).json({ code: error.code ?? 'unknown' });
};
