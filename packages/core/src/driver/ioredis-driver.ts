import { RedisNotConnectedError, RedisUnavailableError } from '../errors';
import { type ConnectionRefusals, connectionRefusalsOf } from './connection-refusals';
import type { DriverEvents, NodeSender, RedisDriver, SendOptions } from './driver';
import type {
  IoRedisClusterLike,
  IoRedisLike,
  IoRedisStandaloneLike,
  IoRedisSubscriberLike,
  RedisArg,
} from './redis-client';
import { type CorkableStream, WriteCoalescer } from './write-coalescer';

export function isIoRedis(client: object): client is IoRedisLike {
  return 'callBuffer' in client && 'isCluster' in client && typeof client.callBuffer === 'function';
}

/** ioredis `Redis` and `Cluster` share one interface; only SCAN differs (every master). */
export class IoRedisDriver implements RedisDriver {
  readonly kind = 'ioredis' as const;
  /** ioredis has no per-command cancellation. */
  readonly abortable = false;
  readonly cluster: boolean;
  readonly #client: IoRedisLike;
  readonly #events: DriverEvents;
  readonly #listeners = new Map<string, Set<(message: string) => void>>();
  #subscriber: IoRedisSubscriberLike | undefined;
  /** Standalone only: a Cluster has one connection per node and routes each command itself. */
  readonly #writes: WriteCoalescer | undefined;
  readonly #refusals: ConnectionRefusals;

  constructor(client: IoRedisLike, events: DriverEvents) {
    this.#client = client;
    this.#refusals = connectionRefusalsOf(client, logUnhandledError);
    this.cluster = client.isCluster;
    this.#events = events;
    this.#writes = client.isCluster ? undefined : new WriteCoalescer();
  }

  async send(args: RedisArg[], _routingKey: string | undefined, options: SendOptions): Promise<unknown> {
    this.#assertConnected();
    // ioredis writes a command at once only when ready; otherwise it queues it and writes later.
    if (this.#client.status === 'ready')
      this.#writes?.hold((this.#client as { stream?: CorkableStream }).stream);
    const [command, ...rest] = args;
    const name = String(command);
    try {
      return await (options.buffers
        ? this.#client.callBuffer(name, ...rest)
        : this.#client.call(name, ...rest));
    } catch (error) {
      this.#assertConnected();
      throw error;
    }
  }

  /**
   * 'end' is final (quit or disconnect). While it reconnects after a lost connection, ioredis would
   * queue the command and run it whenever Redis is back, long after its caller gave up: fail now.
   * A first connection ('wait', 'connecting', 'connect') still queues, under the deadline.
   */
  #assertConnected(): void {
    const { status } = this.#client;
    if (status === 'end') throw closed();
    // Redis refused the last connection (a wrong password): not an outage, and a queued command
    // would wait for the next attempt, refused again.
    const refusal = status === 'ready' ? undefined : this.#refusals.last;
    if (refusal !== undefined) throw refusal;
    if (status === 'reconnecting' || status === 'close') {
      throw new RedisUnavailableError(
        `Redis is unavailable: the ioredis client is ${status === 'close' ? 'disconnected' : 'reconnecting'}.`,
      );
    }
  }

  async masters(): Promise<NodeSender[]> {
    const nodes = this.cluster ? (this.#client as IoRedisClusterLike).nodes('master') : [this.#client];
    return nodes.map((node) => (args) => {
      const [command, ...rest] = args;
      return node.call(String(command), ...rest);
    });
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<() => Promise<void>> {
    this.#assertConnected();
    const subscriber = this.#connectSubscriber();
    let listeners = this.#listeners.get(channel);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(channel, listeners);
    }
    listeners.add(listener);
    try {
      await subscriber.subscribe(channel);
    } catch (error) {
      this.#removeListener(channel, listener);
      throw error;
    }
    return async () => {
      if (this.#removeListener(channel, listener)) await this.#subscriber?.unsubscribe(channel);
    };
  }

  /** Returns true when the channel has no listener left. */
  #removeListener(channel: string, listener: (message: string) => void): boolean {
    const listeners = this.#listeners.get(channel);
    listeners?.delete(listener);
    if (listeners?.size !== 0) return false;
    this.#listeners.delete(channel);
    return true;
  }

  /**
   * A standalone `Redis` resubscribes on its own after a reconnect, but leaves that SUBSCRIBE's
   * promise unhandled: closed while it is in flight, it is an unhandled rejection in the app. So its
   * duplicate does not, and the driver resubscribes, handling the outcome. A `Cluster`'s subscriber
   * resubscribes with handled promises (and its duplicate() takes startup nodes, not options).
   */
  #connectSubscriber(): IoRedisSubscriberLike {
    if (!this.#subscriber) {
      const subscriber = this.cluster
        ? this.#client.duplicate()
        : (this.#client as IoRedisStandaloneLike).duplicate({ autoResubscribe: false });
      let lost = false;
      subscriber.on('error', (error) => this.#events.onError(error));
      subscriber.on('reconnecting', () => {
        lost = true;
        this.#events.onSubscriberLost();
      });
      if (!this.cluster)
        subscriber.on('ready', () => {
          if (!lost || this.#listeners.size === 0 || this.#subscriber !== subscriber) return;
          lost = false;
          const channels = [...this.#listeners.keys()];
          // A failure here is followed by another reconnect, and so another try.
          subscriber.subscribe(...channels).catch((error: Error) => {
            if (this.#subscriber === subscriber) this.#events.onError(error);
          });
        });
      subscriber.on('message', (channel, message) => {
        for (const listener of this.#listeners.get(channel) ?? []) listener(message);
      });
      this.#subscriber = subscriber;
    }
    return this.#subscriber;
  }

  async close(): Promise<void> {
    this.#subscriber?.disconnect();
    this.#subscriber = undefined;
    this.#listeners.clear();
  }
}

/** What ioredis does with an `error` event nobody listens to. */
function logUnhandledError(error: unknown): void {
  console.error('[ioredis] Unhandled error event:', error instanceof Error ? error.stack : error);
}

function closed(): RedisNotConnectedError {
  return new RedisNotConnectedError(
    'The ioredis client has been closed (quit or disconnect was called); pass an open client to rediware.',
  );
}
