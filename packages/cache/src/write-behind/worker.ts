import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Backend, isRedisError, type RediwareError } from '@rediware/core';
import { decodeValue, type Serializer, type ValueKind } from '../codec/value-codec';
import type { WriteBehindConfig, WriteBehindWrite } from './options';
import { type WriteBehindQueue, type WriteStream, writeBehindGroup } from './queue';
import { ackWritesScript } from './scripts/ack-writes-script';
import { type DrainReply, drainWritesScript } from './scripts/drain-writes-script';
import { failWritesScript } from './scripts/fail-writes-script';
import { writerLeaseScript } from './scripts/writer-lease-script';

/** What `startWriteBehind` returns. */
export interface WriteBehindWorker {
  /** Finishes the batch being flushed, hands the streams back to other workers, and resolves. */
  stop(): Promise<void>;
  /** Writes in the streams not flushed yet (by any worker). */
  pending(): Promise<number>;
}

/** The events of write-behind workers. */
export interface WriteBehindEvents {
  /** A flush threw; its entries stay in the stream and are flushed again. */
  writeBehindError: [
    {
      /** The Redis Stream's key. */
      stream: string;
      /** The cache keys of the batch. */
      keys: string[];
      /** What the flush threw. */
      error: unknown;
    },
  ];
  /** Entries that failed `maxRetries` flushes moved to the dead-letter stream `dead`. */
  writeBehindDeadLetter: [
    {
      /** The Redis Stream's key. */
      stream: string;
      /** The dead-letter stream's key. */
      dead: string;
      /** The ids of the moved stream entries. */
      ids: string[];
      /** Their cache keys. */
      keys: string[];
      /** What the last flush threw. */
      error: unknown;
    },
  ];
}

export interface WorkerContext {
  readonly backend: Backend;
  readonly queue: WriteBehindQueue;
  readonly serializer: Serializer;
  emit<K extends keyof WriteBehindEvents>(event: K, ...args: WriteBehindEvents[K]): void;
  reportFailure(operation: string, error: RediwareError): void;
}

/** One stream entry as read by the drain script. */
interface ReadEntry extends WriteBehindWrite {
  readonly identity: string;
}

/**
 * Drains every stream of the queue. It polls with a non-blocking XREADGROUP inside a script
 * rather than blocking: every Redis call has a deadline (core's `timeout`), and XREADGROUP BLOCK
 * would either outlive it or tie up the user's shared connection; a blocking read would need a
 * connection of its own, which core does not open for commands. Polling costs at most `maxDelay`
 * of latency when idle; a busy worker reads again at once.
 */
export function startWriteBehindWorker(context: WorkerContext, config: WriteBehindConfig): WriteBehindWorker {
  const consumer = randomUUID();
  const stopping = new AbortController();
  const loop = drainLoop(context, config, consumer, stopping.signal);
  let stopped: Promise<void> | undefined;
  return {
    stop() {
      stopped ??= (async () => {
        stopping.abort();
        await loop;
        await Promise.allSettled(
          context.queue.streams.map((stream) =>
            context.backend.run(writerLeaseScript, [stream.lease], [consumer, config.claimAfterMs, '1']),
          ),
        );
      })();
      return stopped;
    },
    pending: () => context.queue.pending(),
  };
}

async function drainLoop(
  context: WorkerContext,
  config: WriteBehindConfig,
  consumer: string,
  signal: AbortSignal,
): Promise<void> {
  while (!signal.aborted) {
    let flushed = false;
    for (const stream of context.queue.streams) {
      if (signal.aborted) return;
      try {
        if (await drainOnce(context, config, consumer, stream)) flushed = true;
      } catch (error) {
        // Not a Redis failure (those are reported inside): report it and keep the worker alive.
        context.emit('writeBehindError', { stream: stream.key, keys: [], error });
      }
    }
    if (!flushed) await sleep(config.maxDelayMs, undefined, { signal }).catch(() => {});
  }
}

/** Reads one batch of a stream this worker holds and flushes it; true when a batch was flushed. */
async function drainOnce(
  context: WorkerContext,
  config: WriteBehindConfig,
  consumer: string,
  stream: WriteStream,
): Promise<boolean> {
  const reply = await call(context, 'writeBehind drain', () =>
    context.backend.run(
      drainWritesScript,
      [stream.key, stream.lease],
      [writeBehindGroup, consumer, config.claimAfterMs, config.batchSize],
      { buffers: true },
    ),
  );
  if (!reply || Number(reply[0]) !== 1 || reply.length === 1) return false;
  const raw = rawEntriesOf(reply);
  const ids = raw.map((entry) => entry.id);
  const renewal = keepLease(context, config, consumer, stream);
  try {
    // Decoding is inside: a value the serializer cannot read fails like a flush, up to the dead letter.
    await config.flush(latestPerKey(raw.map((entry) => decodeEntry(entry, context.serializer))));
  } catch (error) {
    clearInterval(renewal);
    await recordFailure(context, config, stream, raw, error);
    return false;
  }
  clearInterval(renewal);
  await call(context, 'writeBehind ack', () =>
    context.backend.run(ackWritesScript, [stream.key, stream.fails], [writeBehindGroup, ...ids]),
  );
  return true;
}

/** A flush may take longer than `claimAfter`: the lease is renewed while it runs, so nobody takes over a live worker. */
function keepLease(
  context: WorkerContext,
  config: WriteBehindConfig,
  consumer: string,
  stream: WriteStream,
): NodeJS.Timeout {
  const timer = setInterval(
    () => {
      void call(context, 'writeBehind lease', () =>
        context.backend.run(writerLeaseScript, [stream.lease], [consumer, config.claimAfterMs, '0']),
      );
    },
    Math.max(1, Math.floor(config.claimAfterMs / 3)),
  );
  timer.unref();
  return timer;
}

async function recordFailure(
  context: WorkerContext,
  config: WriteBehindConfig,
  stream: WriteStream,
  entries: readonly RawEntry[],
  error: unknown,
): Promise<void> {
  context.emit('writeBehindError', { stream: stream.key, keys: entries.map((entry) => entry.key), error });
  const message = error instanceof Error ? error.message : String(error);
  const dead = await call(context, 'writeBehind fail', () =>
    context.backend.run(
      failWritesScript,
      [stream.key, stream.fails, stream.dead],
      [writeBehindGroup, config.maxRetries, message, ...entries.map((entry) => entry.id)],
    ),
  );
  if (!dead || dead.length === 0) return;
  const ids = dead.map(String);
  const keys = entries.filter((entry) => ids.includes(entry.id)).map((entry) => entry.key);
  context.emit('writeBehindDeadLetter', { stream: stream.key, dead: stream.dead, ids, keys, error });
}

/** Redis failures are reported and the step retried on the next round; anything else is a bug. */
async function call<T>(
  context: WorkerContext,
  operation: string,
  work: () => Promise<T>,
): Promise<T | undefined> {
  try {
    return await work();
  } catch (error) {
    if (!isRedisError(error)) throw error;
    context.reportFailure(operation, error);
    return undefined;
  }
}

/** An entry as the drain script returns it, before its value is decoded. */
interface RawEntry {
  readonly id: string;
  readonly key: string;
  readonly namespace: string | undefined;
  readonly value: Buffer;
  readonly kind: ValueKind;
}

function rawEntriesOf(reply: DrainReply): RawEntry[] {
  const entries: RawEntry[] = [];
  for (let i = 1; i + 4 < reply.length; i += 5) {
    const [id, key, namespace, value, kind] = reply.slice(i, i + 5) as Buffer[];
    entries.push({
      id: String(id),
      key: String(key),
      namespace: String(namespace) === '' ? undefined : String(namespace),
      value: Buffer.from(value as Buffer),
      kind: String(kind) as ValueKind,
    });
  }
  return entries;
}

function decodeEntry(entry: RawEntry, serializer: Serializer): ReadEntry {
  const { id, key, namespace } = entry;
  const value = decodeValue({ bytes: entry.value, kind: entry.kind }, serializer);
  return { id, key, namespace, value, identity: namespace === undefined ? key : `${namespace}:${key}` };
}

/** Several writes of one key in a batch become the latest; writes stay in stream (write) order. */
export function latestPerKey(entries: readonly ReadEntry[]): WriteBehindWrite[] {
  const latest = new Map<string, ReadEntry>();
  for (const entry of entries) {
    latest.delete(entry.identity);
    latest.set(entry.identity, entry);
  }
  return [...latest.values()].map(({ key, namespace, value, id }) => ({ key, namespace, value, id }));
}
