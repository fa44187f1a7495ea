import type { Script, ScriptArg } from './script';

/** How one `Backend.run` call sends its script and reads the reply. */
export interface RunOptions<Reply = unknown> {
  /** Return bulk strings as Buffers instead of UTF-8 strings. @default false */
  buffers?: boolean;
  /**
   * The keys are one group from `slotGroups`: they may hold different hash tags (one slot on a
   * cluster, anything on a standalone server).
   *
   * @default false
   */
  batch?: boolean;
  /**
   * Gets the reply of a call that Redis ran after its deadline had rejected it (a client that
   * queued the command through a failover sends it late): for taking back what it did, such as
   * a lock nobody waits for any more.
   */
  onLateReply?: ((reply: Reply) => void) | undefined;
}

/** A live subscription to one channel, from `Backend.subscribe`. */
export interface Subscription {
  /** Stops delivering the channel's messages to the listener. */
  unsubscribe(): Promise<void>;
}

/**
 * Where an engine's data lives: Redis (any client, standalone or cluster) or process memory.
 * Engines talk only to this interface, so every engine runs unchanged on both.
 */
export interface Backend {
  /** Where the data lives: `'redis'` (any client) or `'memory'` (this process). */
  readonly kind: 'memory' | 'redis';
  /** True on a Redis Cluster client. */
  readonly cluster: boolean;
  /** The per-call deadline in ms. */
  readonly timeoutMs: number;
  /**
   * Runs a script (or a `defineCommand` command) atomically in one round trip. All keys must share
   * one hash tag.
   */
  run<Reply>(
    script: Script<Reply>,
    keys: readonly string[],
    args: readonly ScriptArg[],
    options?: RunOptions<Reply>,
  ): Promise<Reply>;
  /** Groups of key indexes that one batch script call may touch together (see groupBySlot). */
  slotGroups(keys: readonly string[]): number[][];
  /** Publishes `message` on `channel` (Redis PUBLISH; in process for the memory backend). */
  publish(channel: string, message: string): Promise<void>;
  /** Resolves once the subscription is active, so a message published afterwards is received. */
  subscribe(channel: string, listener: (message: string) => void): Promise<Subscription>;
  /** Every key matching a pattern built by a Keyspace, in batches, across every master. */
  scan(pattern: string, batchSize?: number): AsyncIterable<string[]>;
  /** Releases what the backend opened itself: subscriptions, the subscriber connection, timers. */
  close(): Promise<void>;
}
