import type { RedisArg } from './redis-client';

/** What a driver reports about the connections it opens itself (the subscriber). */
export interface DriverEvents {
  onError(error: Error): void;
  /**
   * The subscriber connection was lost and is reconnecting (the client resubscribes on its own):
   * messages published until then are lost.
   */
  onSubscriberLost(): void;
}

export interface SendOptions {
  /** Bulk strings as Buffers. */
  buffers?: boolean;
  /** Aborted at the deadline: drop the command if it has not been written yet. */
  signal?: AbortSignal | undefined;
}

/** One master of a deployment, for commands that must visit every master (SCAN). */
export type NodeSender = (args: RedisArg[]) => Promise<unknown>;

/**
 * The single internal shape of a Redis client: nothing outside this folder branches on the kind
 * of client the user passed.
 */
export interface RedisDriver {
  readonly kind: 'node-redis' | 'ioredis';
  readonly cluster: boolean;
  /** Whether `send` honours `signal` (drops a command not yet written when it aborts). */
  readonly abortable: boolean;
  /**
   * Sends one command; on a cluster it goes to the node owning `routingKey`. A client known to be
   * disconnected fails at once rather than queueing a command that would run after its caller
   * gave up.
   */
  send(args: RedisArg[], routingKey: string | undefined, options: SendOptions): Promise<unknown>;
  /** A sender per master (one for a standalone server). */
  masters(): Promise<NodeSender[]>;
  /** Subscribes on a dedicated connection; resolves once Redis confirmed the subscription. */
  subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>>;
  /** Closes the connections rediware opened itself (never the user's client). */
  close(): Promise<void>;
}
