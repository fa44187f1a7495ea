/**
 * The clients rediware accepts, described by the few members it uses, so that neither `redis`
 * nor `ioredis` is needed to compile against rediware: node-redis v4+ `createClient` /
 * `createCluster`, and ioredis `Redis` / `Cluster`.
 */

export type RedisArg = string | Buffer;
export type NodeRedisListener = (message: string | Buffer, channel: string | Buffer) => unknown;

/** A node-redis `createClient()` client, as far as rediware uses it. */
export interface NodeRedisClientLike {
  /** The socket is open (node-redis' own flag). */
  readonly isOpen: boolean;
  /** The client is connected and ready for commands. */
  readonly isReady: boolean;
  /** Sends one raw command. */
  sendCommand(args: RedisArg[], options?: object): Promise<unknown>;
  /** A new connection with the same options: the pub/sub subscriber. */
  duplicate(): NodeRedisSubscriberLike;
}

export interface NodeRedisSubscriberLike {
  connect(): Promise<unknown>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'reconnecting', listener: () => void): unknown;
  subscribe(channel: string, listener: NodeRedisListener): Promise<unknown>;
  unsubscribe(channel: string, listener: NodeRedisListener): Promise<unknown>;
  destroy?(): unknown;
  disconnect?(): Promise<unknown>;
}

/** A node-redis `createCluster()` client, as far as rediware uses it. */
export interface NodeRedisClusterLike {
  /** The cluster's master nodes (SCAN visits each). */
  readonly masters: readonly object[];
  /** The client of one node of `masters`. */
  nodeClient(node: never): unknown;
  /** Sends one raw command to the node that owns `firstKey`. */
  sendCommand(
    firstKey: RedisArg | undefined,
    isReadonly: boolean | undefined,
    args: RedisArg[],
    options?: object,
  ): Promise<unknown>;
  /** Subscribes `listener` to `channel`. */
  subscribe(channel: string, listener: NodeRedisListener): Promise<unknown>;
  /** Unsubscribes `listener` from `channel`. */
  unsubscribe(channel: string, listener: NodeRedisListener): Promise<unknown>;
}

/** An ioredis `Redis` client, as far as rediware uses it. */
export interface IoRedisLike {
  /** ioredis' connection status (`'ready'`, `'connecting'`, `'end'`, ...). */
  readonly status: string;
  /** True on an ioredis `Cluster`. */
  readonly isCluster: boolean;
  /** Sends one raw command; bulk replies as strings. */
  call(command: string, ...args: Array<string | number | Buffer>): Promise<unknown>;
  /** Sends one raw command; bulk replies as Buffers. */
  callBuffer(command: string, ...args: Array<string | number | Buffer>): Promise<unknown>;
  /** A new connection with the same options: the pub/sub subscriber. */
  duplicate(): IoRedisSubscriberLike;
}

/** A standalone `Redis` duplicates with options to override (a `Cluster` takes startup nodes first). */
export interface IoRedisStandaloneLike extends IoRedisLike {
  duplicate(override?: { autoResubscribe: boolean }): IoRedisSubscriberLike;
}

/** An ioredis `Cluster`, as far as rediware uses it. */
export interface IoRedisClusterLike extends IoRedisLike {
  /** The clients of the master nodes (SCAN visits each). */
  nodes(role: 'master'): IoRedisLike[];
}

export interface IoRedisSubscriberLike {
  on(event: 'message', listener: (channel: string, message: string) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'reconnecting' | 'ready', listener: () => void): unknown;
  subscribe(...channels: string[]): Promise<unknown>;
  unsubscribe(channel: string): Promise<unknown>;
  disconnect(): void;
}

/** The `redis` option of every plugin. */
export type RedisClient = NodeRedisClientLike | NodeRedisClusterLike | IoRedisLike | IoRedisClusterLike;
