export interface RedisServer {
  readonly host: string;
  readonly port: number;
  /** redis://127.0.0.1:PORT */
  readonly url: string;
  /** The running process, undefined while stopped or for a REDIS_URL server. */
  readonly pid: number | undefined;
  /** SIGTERM, wait for the exit, remove the data dir. Idempotent. */
  stop(): Promise<void>;
  /** SIGKILL and wait for the exit: a crash. */
  kill(): Promise<void>;
  /** A fresh process on the same port (so an empty script cache); stops the current one first. */
  restart(): Promise<void>;
}
