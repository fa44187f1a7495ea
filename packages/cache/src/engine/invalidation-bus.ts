import type { Backend, RediwareError, Subscription } from '@rediware/core';

/** What changed: an entry (written, deleted, or its loader lock released) or a version stamp. */
export type BusMessageKind = 'key' | 'stamp';

export interface BusMessage {
  readonly kind: BusMessageKind;
  /** The entry key or the stamp key. */
  readonly key: string;
  /** For an entry: the Redis time of the change on the entry's node, when known. */
  readonly changedAt: number | undefined;
}

interface WireMessage {
  /** The instance that sent it: instances ignore their own messages. */
  o: string;
  /** 'probe': a heartbeat its sender waits to receive back; the others ignore it. */
  t: BusMessageKind | 'probe';
  /** One key, or several (a batch write names all its keys in one message). */
  k?: string | string[];
  w?: number;
  /** A probe's send time (its sender's clock). */
  p?: number;
}

/** How often a bus without heartbeat probes while it has to prove it works again. */
const recoveryProbeMs = 1_000;

/**
 * One pub/sub channel per prefix, shared by every cache instance with that prefix, in every
 * process. Each instance subscribes once (not per call). It carries what other instances must
 * act on: evict their L1, wake callers waiting for a loader in another process.
 *
 * Redis delivers one connection's messages in the order it ran the PUBLISH commands, so when an
 * instance receives its own probe sent at time T, every message published before T has reached
 * it: `onVerified(T)`. With `probes` (an L1 tier and remembered stamp versions to keep
 * trustworthy), probes go out every `probes.heartbeatMs` (the verification window / 4), and after a
 * lost connection until the subscription works again.
 */
export class InvalidationBus {
  readonly #backend: Backend;
  readonly #channel: string;
  readonly #origin: string;
  readonly #onMessage: (message: BusMessage) => void;
  readonly #onFailure: (error: RediwareError, operation: string) => void;
  readonly #onVerified: (sentAt: number) => void;
  readonly #probes: { heartbeatMs: number | undefined } | undefined;
  #timer: NodeJS.Timeout | undefined;
  #subscription: Promise<Subscription | undefined> | undefined;
  #live = false;
  #closed = false;
  /** After a failed subscribe, the next attempt waits a little, so a dead Redis is not hammered. */
  #retryAt = 0;

  constructor(options: {
    backend: Backend;
    channel: string;
    origin: string;
    onMessage: (message: BusMessage) => void;
    onFailure: (error: RediwareError, operation: string) => void;
    /** Every message published before `sentAt` (local time) has been received. */
    onVerified?: (sentAt: number) => void;
    /** Probes, for an L1 tier; `heartbeatMs` undefined: only to recover after a lost connection. */
    probes?: { heartbeatMs: number | undefined } | undefined;
  }) {
    this.#backend = options.backend;
    this.#channel = options.channel;
    this.#origin = options.origin;
    this.#onMessage = options.onMessage;
    this.#onFailure = options.onFailure;
    this.#onVerified = options.onVerified ?? (() => {});
    this.#probes = options.probes;
  }

  /** True once the subscription is confirmed: only then may the L1 tier be filled. */
  get live(): boolean {
    return this.#live;
  }

  /**
   * Subscribes on first use; resolves once subscribed (true) or failed (false: reported, and the
   * next call tries again). Never rejects.
   */
  ensure(): Promise<boolean> {
    if (this.#closed) return Promise.resolve(false);
    if (!this.#subscription && Date.now() < this.#retryAt) return Promise.resolve(false);
    if (!this.#subscription) this.#startProbing();
    const subscribedAt = Date.now();
    this.#subscription ??= this.#backend
      .subscribe(this.#channel, (text) => this.#receive(text))
      .then(
        (subscription) => {
          if (this.#closed) {
            void subscription.unsubscribe().catch(() => {});
            return undefined;
          }
          this.#live = true;
          this.#onVerified(subscribedAt);
          return subscription;
        },
        (error: RediwareError) => {
          this.#subscription = undefined;
          this.#retryAt = Date.now() + 1_000;
          this.#onFailure(error, 'subscribe');
          return undefined;
        },
      );
    return this.#subscription.then((subscription) => subscription !== undefined);
  }

  /** `ensure` without waiting: starts subscribing unless subscribed or subscribing (no promise made). */
  start(): void {
    if (this.#subscription === undefined) void this.ensure();
  }

  get channel(): string {
    return this.#channel;
  }

  /**
   * A message naming several entry keys, without its change time and closing brace: a batch
   * write script appends the time it wrote at and publishes it in the same round trip.
   */
  keysMessageHead(keys: readonly string[]): string {
    return `${JSON.stringify({ o: this.#origin, t: 'key', k: keys }).slice(0, -1)},"w":`;
  }

  /** Rejects with the RedisError when Redis fails. */
  async publish(kind: BusMessageKind, key: string, changedAt?: number): Promise<void> {
    const message: WireMessage = { o: this.#origin, t: kind, k: key };
    if (changedAt !== undefined) message.w = changedAt;
    await this.#backend.publish(this.#channel, JSON.stringify(message));
  }

  /**
   * The connection under the subscription failed: messages may have been lost. The bus counts as
   * live again when the next message arrives (a probe of ours, sent until then, or any other).
   */
  markUnreliable(): void {
    this.#live = false;
    this.#probe();
  }

  /** One timer per bus (unref'd): heartbeat probes, recovery probes and subscribe retries. */
  #startProbing(): void {
    if (this.#timer || this.#closed || !this.#probes) return;
    const { heartbeatMs } = this.#probes;
    this.#timer = setInterval(() => {
      if (!this.#subscription) void this.ensure();
      else if (heartbeatMs !== undefined || !this.#live) this.#probe();
    }, heartbeatMs ?? recoveryProbeMs);
    this.#timer.unref();
  }

  #probe(): void {
    if (this.#closed || !this.#probes) return;
    const message: WireMessage = { o: this.#origin, t: 'probe', p: Date.now() };
    // A failed probe proves nothing and needs no report: the verification window simply runs out.
    this.#backend.publish(this.#channel, JSON.stringify(message)).catch(() => {});
  }

  #receive(text: string): void {
    let message: WireMessage;
    try {
      message = JSON.parse(text) as WireMessage;
    } catch {
      return;
    }
    // Any message, our own echo included, proves the subscription works again after a failure.
    if (!this.#closed) this.#live = true;
    if (message.o === this.#origin) {
      if (message.t === 'probe' && typeof message.p === 'number') this.#onVerified(message.p);
      return;
    }
    if (message.t !== 'key' && message.t !== 'stamp') return;
    const keys = Array.isArray(message.k) ? message.k : [message.k];
    for (const key of keys) {
      if (typeof key !== 'string') continue;
      this.#onMessage({
        kind: message.t,
        key,
        changedAt: typeof message.w === 'number' ? message.w : undefined,
      });
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#live = false;
    clearInterval(this.#timer);
    const subscription = await this.#subscription;
    await subscription?.unsubscribe().catch(() => {});
  }
}
