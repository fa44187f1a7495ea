import type { Express } from 'express';
import type { FastifyInstance } from 'fastify';

/** An app a child process serves; the child does the listening so every server listens alike. */
export type BenchApp =
  | { framework: 'express'; app: Express }
  | { framework: 'fastify'; app: FastifyInstance };

export interface BuiltServer {
  app: BenchApp;
  /** Closes what the server opened besides its listener (Redis clients, lockers). */
  close(): Promise<void>;
}

export interface ServerContext {
  /** The bench's own redis-server, redis://127.0.0.1:PORT. */
  redisUrl: string;
}

export type ServerFactory = (context: ServerContext) => Promise<BuiltServer>;
