import {
  checkFunction,
  checkKnownKeys,
  checkObject,
  checkPositiveInteger,
  type Duration,
  parsePositiveDuration,
  RediwareConfigError,
} from '@rediware/core';

/** One write as `flush` receives it: the latest value of its key in this batch. */
export interface WriteBehindWrite<T = unknown> {
  /** The key as given to `writeBehind`. */
  readonly key: string;
  /** The namespace given to `writeBehind`, if any. */
  readonly namespace: string | undefined;
  /** A fresh copy of the value given to `writeBehind`. */
  readonly value: T;
  /** The stream entry id of this write (ids grow in write order within one stream). */
  readonly id: string;
}

/** Options of `cache.startWriteBehind`. */
export interface WriteBehindOptions {
  /**
   * Writes a batch to the system of record. Entries are acknowledged only after it resolves: a
   * flush that throws (or a worker that dies) leaves them to be flushed again. Required.
   */
  flush: (writes: readonly WriteBehindWrite[]) => Promise<void> | void;
  /** Stream entries read per flush at most (several writes of one key collapse into one). @default 100 */
  batchSize?: number;
  /** How long an idle worker waits before it looks at the streams again, and after a failed flush. @default '100ms' */
  maxDelay?: Duration;
  /** Failed flushes after which an entry moves to the dead-letter stream. @default 5 */
  maxRetries?: number;
  /**
   * How long a worker holds a stream without renewing its lease: after this, another worker takes
   * the stream over and reclaims what the silent one read and did not acknowledge.
   * @default '30s'
   */
  claimAfter?: Duration;
}

export interface WriteBehindConfig {
  readonly flush: (writes: readonly WriteBehindWrite[]) => Promise<void> | void;
  readonly batchSize: number;
  readonly maxDelayMs: number;
  readonly maxRetries: number;
  readonly claimAfterMs: number;
}

const knownOptions = ['flush', 'batchSize', 'maxDelay', 'maxRetries', 'claimAfter'];

/** Above this, one script's ARGV (the ids to acknowledge) grows past what Lua's unpack takes. */
const maxBatchSize = 1000;

export function parseWriteBehindOptions(input: unknown): WriteBehindConfig {
  const options = checkObject(input, 'startWriteBehind options') as Partial<WriteBehindOptions> &
    Record<string, unknown>;
  checkKnownKeys(options, knownOptions, 'startWriteBehind');
  const batchSize =
    options.batchSize === undefined ? 100 : checkPositiveInteger(options.batchSize, 'batchSize');
  if (batchSize > maxBatchSize) {
    throw new RediwareConfigError('batchSize', `a positive integer of at most ${maxBatchSize}`, batchSize);
  }
  return Object.freeze({
    flush: checkFunction<WriteBehindConfig['flush']>(options.flush, 'flush'),
    batchSize,
    maxDelayMs: options.maxDelay === undefined ? 100 : parsePositiveDuration(options.maxDelay, 'maxDelay'),
    maxRetries: options.maxRetries === undefined ? 5 : checkPositiveInteger(options.maxRetries, 'maxRetries'),
    claimAfterMs:
      options.claimAfter === undefined ? 30_000 : parsePositiveDuration(options.claimAfter, 'claimAfter'),
  });
}

/** The cache option `writeBehindStreams`. */
export function parseWriteBehindStreams(value: unknown): number {
  if (value === undefined) return 1;
  const streams = checkPositiveInteger(value, 'writeBehindStreams');
  if (streams > 1024) throw new RediwareConfigError('writeBehindStreams', 'an integer from 1 to 1024', value);
  return streams;
}
