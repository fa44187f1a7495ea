import calculateSlot from 'cluster-key-slot';
import { RedisNotConnectedError, RedisUnavailableError } from '../errors';
import { type ConnectionRefusals, connectionRefusalsOf } from './connection-refusals';
import type { DriverEvents, NodeSender, RedisDriver, SendOptions } from './driver';
import type {
  NodeRedisClientLike,
  NodeRedisClusterLike,
  NodeRedisListener,
  NodeRedisSubscriberLike,
  RedisArg,
} from './redis-client';

/** RESP type code of a bulk string ('$'); mapping it to Buffer keeps binary replies intact (v5+). */
const BLOB_STRING = 36;
const bufferTypeMapping = Object.freeze({ [BLOB_STRING]: Buffer });

/** v5+ reads `typeMapping` and `abortSignal`, v4 reads `returnBuffers`; each ignores the others. */
function commandOptions({ buffers, signal }: SendOptions): object | undefined {
  if (buffers) return { typeMapping: bufferTypeMapping, returnBuffers: true, abortSignal: signal };
  return signal ? { abortSignal: signal } : undefined;
}

export function isNodeRedisCluster(client: object): client is NodeRedisClusterLike {
  return 'nodeClient' in client && typeof client.nodeClient === 'function' && 'masters' in client;
}

export function isNodeRedisClient(client: object): client is NodeRedisClientLike {
  return 'sendCommand' in client && 'isOpen' in client && typeof client.sendCommand === 'function';
}

abstract class NodeRedisDriverBase {
  readonly kind = 'node-redis' as const;
  readonly abortable = true;
  protected readonly onError: (error: Error) => void;

  constructor(onError: (error: Error) => void) {
    this.onError = onError;
  }

  abstract subscribeRaw(channel: string, listener: NodeRedisListener): Promise<unknown>;
  abstract unsubscribeRaw(channel: string, listener: NodeRedisListener): Promise<unknown>;

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    const wrapped: NodeRedisListener = (message) => listener(message.toString());
    await this.subscribeRaw(channel, wrapped);
    return async () => {
      await this.unsubscribeRaw(channel, wrapped);
    };
  }
}

export class NodeRedisClientDriver extends NodeRedisDriverBase implements RedisDriver {
  readonly cluster = false;
  readonly #client: NodeRedisClientLike;
  readonly #onSubscriberLost: () => void;
  readonly #refusals: ConnectionRefusals;
  #subscriber: Promise<NodeRedisSubscriberLike> | undefined;
  /** The subscriber connection, connected or still connecting: what close() releases. */
  #subscriberClient: NodeRedisSubscriberLike | undefined;

  constructor(client: NodeRedisClientLike, events: DriverEvents) {
    super((error) => events.onError(error));
    this.#client = client;
    // node-redis throws an `error` event nobody listens to: so does the watcher when it is alone.
    this.#refusals = connectionRefusalsOf(client, (error) => {
      throw error;
    });
    this.#onSubscriberLost = () => events.onSubscriberLost();
  }

  send(args: RedisArg[], _routingKey: string | undefined, options: SendOptions): Promise<unknown> {
    if (!this.#client.isOpen) return Promise.reject(notConnected());
    if (!this.#client.isReady) return Promise.reject(this.#refusals.last ?? reconnecting());
    return this.#client.sendCommand(args, commandOptions(options));
  }

  async masters(): Promise<NodeSender[]> {
    return [(args) => this.send(args, undefined, {})];
  }

  subscribeRaw(channel: string, listener: NodeRedisListener): Promise<unknown> {
    return this.#connectSubscriber().then((subscriber) => subscriber.subscribe(channel, listener));
  }

  async unsubscribeRaw(channel: string, listener: NodeRedisListener): Promise<unknown> {
    const subscriber = await this.#subscriber;
    return subscriber?.unsubscribe(channel, listener);
  }

  #connectSubscriber(): Promise<NodeRedisSubscriberLike> {
    if (!this.#client.isOpen) return Promise.reject(notConnected());
    if (!this.#subscriber) {
      const subscriber = this.#client.duplicate();
      this.#subscriberClient = subscriber;
      subscriber.on('error', this.onError);
      subscriber.on('reconnecting', this.#onSubscriberLost);
      this.#subscriber = subscriber.connect().then(
        () => subscriber,
        (error: unknown) => {
          this.#subscriber = undefined;
          closeSubscriber(subscriber);
          throw error;
        },
      );
    }
    return this.#subscriber;
  }

  async close(): Promise<void> {
    // Not its connect promise: with Redis unreachable it never settles, and close() would wait for Redis.
    const subscriber = this.#subscriberClient;
    this.#subscriber = undefined;
    this.#subscriberClient = undefined;
    closeSubscriber(subscriber);
  }
}

/** The node-redis 5+ internal that re-reads the cluster's slot map (node-redis 4 keeps it private). */
interface ClusterSlotsLike {
  rediscover?(startWith: unknown): Promise<unknown>;
}

/** node-redis 4's public slot table: for each slot, its shard. */
type SlotTableLike = ReadonlyArray<{ master?: unknown } | undefined>;

/** At most one topology refresh per this many ms, however many commands fail. */
const rediscoverIntervalMs = 1_000;

export class NodeRedisClusterDriver extends NodeRedisDriverBase implements RedisDriver {
  readonly cluster = true;
  readonly #cluster: NodeRedisClusterLike;
  #lastRediscover = 0;
  /** node-redis 4: no `_slots` to ask for a rediscovery (see #provokeMoved). */
  readonly #privateSlotMap: boolean;

  constructor(cluster: NodeRedisClusterLike, onError: (error: Error) => void) {
    super(onError);
    this.#cluster = cluster;
    this.#privateSlotMap = (cluster as { _slots?: unknown })._slots === undefined;
  }

  send(args: RedisArg[], routingKey: string | undefined, options: SendOptions): Promise<unknown> {
    const sent = this.#cluster.sendCommand(routingKey, false, args, commandOptions(options));
    sent.catch(() => this.#rediscover(routingKey));
    // node-redis 4 ignores the signal: a command to a dead master never settles, so its deadline is the failure.
    if (this.#privateSlotMap && options.signal) {
      let settled = false;
      const settle = () => {
        settled = true;
      };
      sent.then(settle, settle);
      options.signal.addEventListener('abort', () => settled || this.#rediscover(routingKey), { once: true });
    }
    return sent;
  }

  /**
   * node-redis re-reads the slot map only on a MOVED or ASK reply. When a master dies, its
   * commands wait on a connection that never comes back, so no such reply ever arrives and the
   * client would never learn that a replica took over. After a failed command (a deadline abort
   * included) ask it to rediscover, at most once a second.
   */
  #rediscover(routingKey: string | undefined): void {
    // node-redis 4 needs a key to provoke a MOVED with; a keyless command (PING) says nothing of the map.
    if (this.#privateSlotMap && routingKey === undefined) return;
    const now = Date.now();
    if (now - this.#lastRediscover < rediscoverIntervalMs) return;
    this.#lastRediscover = now;
    const slots = (this.#cluster as { _slots?: ClusterSlotsLike })._slots;
    if (this.#privateSlotMap || slots === undefined) {
      this.#provokeMoved(routingKey);
      return;
    }
    const startWith = (this.#cluster.masters[0] as { client?: unknown } | undefined)?.client;
    if (typeof slots.rediscover !== 'function' || startWith === undefined) return;
    slots.rediscover(startWith).catch((error: unknown) => {
      if (error instanceof Error) this.onError(error);
    });
  }

  /**
   * node-redis 4 keeps its slot map private and re-reads it only on a MOVED reply. Ask another
   * master whether the failed key exists (routed there by a key of its own slots): it answers
   * MOVED, which makes the client re-read the map, learning of a promoted replica. The client then
   * retries a few times and gives up, which is expected; the reply is ignored.
   */
  #provokeMoved(routingKey: string | undefined): void {
    const table = (this.#cluster as { slots?: unknown }).slots;
    if (routingKey === undefined || !Array.isArray(table)) return;
    const slots = table as SlotTableLike;
    const failed = slots[calculateSlot(routingKey)]?.master;
    for (let n = 0; n < 1_000; n++) {
      const other = slots[calculateSlot(String(n))]?.master;
      if (other === undefined || other === failed) continue;
      this.#cluster.sendCommand(String(n), false, ['EXISTS', routingKey]).catch(() => {});
      return;
    }
  }

  async masters(): Promise<NodeSender[]> {
    const clients = await Promise.all(
      this.#cluster.masters.map(
        (node) => this.#cluster.nodeClient(node as never) as Promise<NodeRedisClientLike>,
      ),
    );
    return clients.map((client) => (args) => client.sendCommand(args));
  }

  // The cluster client keeps its own pub/sub connection to one node; PUBLISH reaches every node.
  subscribeRaw(channel: string, listener: NodeRedisListener): Promise<unknown> {
    return this.#cluster.subscribe(channel, listener);
  }

  unsubscribeRaw(channel: string, listener: NodeRedisListener): Promise<unknown> {
    return this.#cluster.unsubscribe(channel, listener);
  }

  async close(): Promise<void> {}
}

function notConnected(): RedisNotConnectedError {
  return new RedisNotConnectedError(
    'The node-redis client is not connected: call `await client.connect()` before using it with rediware.',
  );
}

function reconnecting(): RedisUnavailableError {
  return new RedisUnavailableError(
    'Redis is unavailable: the node-redis client lost its connection and is reconnecting.',
  );
}

function closeSubscriber(subscriber: NodeRedisSubscriberLike | undefined): void {
  if (!subscriber) return;
  try {
    if (subscriber.destroy) subscriber.destroy();
    else void subscriber.disconnect?.().catch(() => {});
  } catch {
    // Already closed: nothing to release.
  }
}
