import type { Server } from 'node:http';
import type { BuiltServer } from './server-types';

/** Listens on a free port of `host` (either framework) and resolves with the HTTP server. */
export async function listenServer(built: BuiltServer, host: string): Promise<Server> {
  if (built.app.framework === 'fastify') {
    await built.app.app.listen({ port: 0, host });
    return built.app.app.server;
  }
  const { app } = built.app;
  return await new Promise((resolve, reject) => {
    const server = app.listen(0, host, (error?: Error) => {
      if (error) reject(error);
      else resolve(server);
    });
  });
}
