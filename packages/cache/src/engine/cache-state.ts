import { randomUUID } from 'node:crypto';
import {
  type Backend,
  bindCounters,
  createBackend,
  createKeyspace,
  type EngineCounters,
  type Keyspace,
  RediwareEmitter,
  type RediwareError,
  withFailPolicy,
} from '@rediware/core';
import type { EncodedValue } from '../codec/value-codec';
import { WriteBehindQueue } from '../write-behind/queue';
import type { WriteBehindWorker } from '../write-behind/worker';
import type { CacheEvents } from './cache-api';
import { cacheMetricSpecs } from './cache-metrics';
import { type BusMessage, InvalidationBus } from './invalidation-bus';
import { L1Tier } from './l1-tier';
import { type CacheConfig, defaultMaxUnverifiedMs } from './options';
import { SingleFlight } from './single-flight';
import { StampMemory } from './stamp-memory';
import { VersionStamps } from './version-stamps';
import { WakeSignals } from './wake-signals';

/** A value `localHit` decoded from an L1 entry, with the decoder that made it. */
export interface LocalDecode {
  readonly decode: (bytes: Buffer) => unknown;
  readonly value: unknown;
}

/**
 * Everything one cache instance holds, handed down to the modules that do its work (reads,
 * writes, loads, batches, invalidation, write-behind): a batch and a single call for one key
 * share these tiers, bus, single flight and wake-ups, so they coordinate with each other.
 */
export class CacheState {
  readonly config: CacheConfig;
  readonly backend: Backend;
  readonly keyspace: Keyspace;
  readonly stamps: VersionStamps;
  /** The stamp versions `stamps` remembers, trusted as L1 is (they share the bus and its rules). */
  readonly stampMemory: StampMemory;
  readonly events = new RediwareEmitter<CacheEvents>();
  readonly metrics: EngineCounters<keyof typeof cacheMetricSpecs>;
  readonly l1: L1Tier | undefined;
  readonly bus: InvalidationBus;
  readonly flights = new SingleFlight(() => this.metrics.coalescedWaits.add());
  readonly signals = new WakeSignals();
  /** Loads and refreshes that outlive their call, awaited by close(). */
  readonly background = new Set<Promise<unknown>>();
  readonly writeQueue: WriteBehindQueue;
  readonly writeWorkers = new Set<WriteBehindWorker>();
  /** `localHit`'s decoded values, per stored value held by L1 (gone with the entry). */
  readonly decoded = new WeakMap<EncodedValue, LocalDecode>();

  constructor(config: CacheConfig) {
    this.config = config;
    this.metrics = bindCounters(cacheMetricSpecs, config.metrics);
    this.backend = createBackend({
      redis: config.redis,
      timeout: config.timeout,
      packageName: '@rediware/cache',
      onConnectionError: (error) => {
        this.#busInterrupted();
        this.events.emit('connectionError', error);
      },
      onSubscriberLost: () => this.#busInterrupted(),
    });
    this.keyspace = createKeyspace(config.prefix, 'cache');
    // On a cluster a message reaches other nodes' subscribers after the PUBLISH has answered, so a
    // process may read before it hears of an invalidation: there, stamps are not remembered.
    const remembers = !this.backend.cluster;
    // Without L1 the bus still proves itself (probes at the default window) for the remembered stamps.
    const maxUnverifiedMs = config.l1 ? config.l1.maxUnverifiedMs : defaultMaxUnverifiedMs;
    this.stampMemory = new StampMemory(maxUnverifiedMs, () => remembers && this.bus.live);
    this.stamps = new VersionStamps(this.backend, this.keyspace, this.stampMemory);
    this.writeQueue = new WriteBehindQueue(this.backend, this.keyspace, config.writeBehindStreams);
    this.l1 = config.l1 ? new L1Tier(config.l1) : undefined;
    this.bus = new InvalidationBus({
      backend: this.backend,
      channel: `${this.keyspace.base}bus`,
      origin: randomUUID(),
      onMessage: (message) => this.#receive(message),
      onFailure: (error, operation) => this.reportFailure(operation, error, true),
      onVerified: (sentAt) => {
        this.stampMemory.verified(sentAt);
        if (this.l1?.verified(sentAt)) this.metrics.l1Resets.add();
      },
      probes:
        config.l1 || remembers
          ? { heartbeatMs: maxUnverifiedMs === undefined ? undefined : maxUnverifiedMs / 4 }
          : undefined,
    });
    if (this.l1) this.bus.start();
  }

  reportFailure(operation: string, error: RediwareError, failedOpen: boolean): void {
    this.metrics.errors.add();
    this.events.emit('failure', { operation, error, failedOpen });
  }

  /** `sent`, rejecting (after reporting) when Redis fails: for calls that must not pretend to succeed. */
  failClosed<T>(operation: string, sent: Promise<T>): Promise<T> {
    return withFailPolicy(sent, {
      operation,
      failOpen: false,
      onFailure: (event) => this.reportFailure(operation, event.error, false),
    });
  }

  /** Keeps `task` for close() to await; its failures are reported where they happen. */
  track(task: Promise<unknown>): void {
    const tracked = task.catch(() => {});
    this.background.add(tracked);
    void tracked.finally(() => this.background.delete(tracked));
  }

  async close(): Promise<void> {
    // Workers first: they finish their batch while the backend still works.
    await Promise.allSettled([...this.writeWorkers].map((worker) => worker.stop()));
    await Promise.allSettled([...this.background]);
    this.signals.wakeAll();
    await this.bus.close();
    this.l1?.clear();
    await this.backend.close();
  }

  /** Messages may be lost while the subscriber reconnects: L1 serves nothing as fresh from now on. */
  #busInterrupted(): void {
    if (this.l1 && this.bus.live) this.metrics.l1Resets.add();
    this.l1?.distrust();
    this.stampMemory.distrust();
    this.bus.markUnreliable();
  }

  #receive(message: BusMessage): void {
    if (message.kind === 'stamp') {
      this.stamps.moved(message.key);
      this.l1?.evictStamp(message.key);
      return;
    }
    this.l1?.evictKey(message.key, message.changedAt);
    this.signals.wake(message.key);
  }
}
