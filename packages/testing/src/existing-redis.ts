import type { RedisServer } from './redis-server-handle';

function refuse(action: string): Promise<never> {
  return Promise.reject(
    new Error(
      `${action}() needs a redis-server spawned by the harness, but REDIS_URL points at an existing server`,
    ),
  );
}

/** A RedisServer for a server the harness does not own: stop() leaves it running. */
export function existingRedis(url: string): RedisServer {
  const parsed = new URL(url);
  return {
    // URL keeps IPv6 hosts bracketed; sockets want them bare.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1') || '127.0.0.1',
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    url,
    pid: undefined,
    stop: () => Promise.resolve(),
    kill: () => refuse('kill'),
    restart: () => refuse('restart'),
  };
}
