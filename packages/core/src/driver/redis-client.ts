/**
 * The clients rediware accepts, described by the few members it uses, so that neither `redis`
 * nor `ioredis` is needed to compile against rediware: node-redis v4+ `createClient` /
 * `createCluster`, and ioredis `Redis` / `Cluster`.
 */

export type RedisArg = string | Buffer;
export type NodeRedisListener = (message: string | Buffer, channel: string | Buffer) => unknown;

export interface NodeRedisClientLike {
  readonly isOpen: boolean;
  readonly isReady: boolean;
  sendCommand(args: RedisArg[], options?: object): Promise<unknown>;
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

export interface NodeRedisClusterLike {
  readonly masters: readonly object[];
  nodeClient(node: never): unknown;
  sendCommand(
    firstKey: RedisArg | undefined,
    isReadonly: boolean | undefined,
    args: RedisArg[],
    options?: object,
  ): Promise<unknown>;
  subscribe(channel: string, listener: NodeRedisListener): Promise<unknown>;
  unsubscribe(channel: string, listener: NodeRedisListener): Promise<unknown>;
}

export interface IoRedisLike {
  readonly status: string;
  readonly isCluster: boolean;
  call(command: string, ...args: Array<string | number | Buffer>): Promise<unknown>;
  callBuffer(command: string, ...args: Array<string | number | Buffer>): Promise<unknown>;
  duplicate(): IoRedisSubscriberLike;
}

/** A standalone `Redis` duplicates with options to override (a `Cluster` takes startup nodes first). */
export interface IoRedisStandaloneLike extends IoRedisLike {
  duplicate(override?: { autoResubscribe: boolean }): IoRedisSubscriberLike;
}

export interface IoRedisClusterLike extends IoRedisLike {
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
