import { setTimeout as sleep } from 'node:timers/promises';
import { existingRedis } from './existing-redis';
import { findExecutable } from './find-executable';
import { pickFreePort } from './free-port';
import { redisText } from './redis-command';
import { launchRedisProcess, type RedisProcess } from './redis-process';
import type { RedisServer } from './redis-server-handle';
import { createTempDir, type TempDir } from './temp-dir';

export type { RedisServer } from './redis-server-handle';

export interface StartRedisOptions {
  /** Extra redis-server arguments, e.g. ['--maxmemory', '1mb']. */
  args?: string[];
}

export interface SpawnRedisOptions {
  /** Extra arguments; a function when they depend on the port. */
  args?: string[] | ((port: number) => string[]);
  pickPort?: () => Promise<number>;
}

export const redisServerNotFound =
  'redis-server not found on PATH: install it (Debian/Ubuntu: apt-get install redis-server; macOS: brew install redis) or set REDIS_URL to an existing server';

const host = '127.0.0.1';
const readyTimeoutMs = 10_000;
const termGraceMs = 5_000;
const bindAttempts = 5;

class StartupError extends Error {
  constructor(
    message: string,
    readonly portTaken: boolean,
  ) {
    super(message);
  }
}

class SpawnedRedisServer implements RedisServer {
  readonly url: string;
  private current: RedisProcess | undefined;
  private dir: TempDir | undefined;

  constructor(
    private readonly executable: string,
    readonly port: number,
    private readonly extraArgs: string[],
  ) {
    this.url = `redis://${host}:${port}`;
  }

  get host(): string {
    return host;
  }

  get pid(): number | undefined {
    return this.current?.running() ? this.current.pid : undefined;
  }

  async start(): Promise<void> {
    this.dir ??= await createTempDir('rediware-redis-');
    const started = launchRedisProcess(this.executable, [
      ...['--port', String(this.port), '--bind', host, '--save', '', '--appendonly', 'no'],
      ...['--dir', this.dir.path, '--loglevel', 'warning', ...this.extraArgs],
    ]);
    this.current = started;
    const deadline = Date.now() + readyTimeoutMs;
    // Matching the pid proves the answer comes from our process, not whoever else got the port.
    while (!(started.running() && (await this.reportsPid(started.pid)))) {
      if (!started.running()) {
        await started.exited;
        throw new StartupError(
          `redis-server on port ${this.port} exited during startup (${started.exitStatus()}):\n${started.output()}`,
          /address already in use|failed listening on port/i.test(started.output()),
        );
      }
      if (Date.now() > deadline) {
        await started.signal('SIGKILL');
        throw new StartupError(
          `redis-server on port ${this.port} did not answer within ${readyTimeoutMs} ms:\n${started.output()}`,
          false,
        );
      }
      await sleep(25);
    }
  }

  private async reportsPid(pid: number | undefined): Promise<boolean> {
    try {
      const info = await redisText({ host, port: this.port }, ['INFO', 'server'], 1_000);
      return info.includes(`process_id:${pid}\r\n`);
    } catch {
      return false;
    }
  }

  async stop(): Promise<void> {
    const running = this.current;
    if (running?.running()) {
      // Redis may wait for lagging replicas on SIGTERM; a test should not.
      const escalate = setTimeout(() => void running.signal('SIGKILL'), termGraceMs);
      await running.signal('SIGTERM');
      clearTimeout(escalate);
    }
    const dir = this.dir;
    this.dir = undefined;
    await dir?.remove();
  }

  async kill(): Promise<void> {
    if (this.current?.running()) await this.current.signal('SIGKILL');
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }
}

/** Spawns a redis-server on a free loopback port, ignoring REDIS_URL. */
export async function spawnRedis(options: SpawnRedisOptions = {}): Promise<RedisServer> {
  const executable = findExecutable('redis-server');
  if (executable === undefined) throw new Error(redisServerNotFound);
  const pickPort = options.pickPort ?? pickFreePort;
  for (let attempt = 1; ; attempt++) {
    const port = await pickPort();
    const args = typeof options.args === 'function' ? options.args(port) : (options.args ?? []);
    const server = new SpawnedRedisServer(executable, port, args);
    try {
      await server.start();
      return server;
    } catch (error) {
      await server.stop();
      // Picking a port and binding it are two steps; someone may have taken it in between.
      if (!(error instanceof StartupError && error.portTaken && attempt < bindAttempts)) throw error;
    }
  }
}

/**
 * A redis-server for one test file: spawned on a free loopback port with persistence off, or the
 * server at REDIS_URL when that is set (then stop() leaves it alone and kill()/restart() reject).
 */
export function startRedis(options: StartRedisOptions = {}): Promise<RedisServer> {
  const url = process.env.REDIS_URL;
  if (url !== undefined && url !== '') return Promise.resolve(existingRedis(url));
  return spawnRedis(options.args === undefined ? {} : { args: options.args });
}
