import { createHash } from 'node:crypto';
import type { Backend, Keyspace } from '@rediware/core';
import type { EncodedValue } from '../codec/value-codec';
import { appendWriteScript } from './scripts/append-write-script';
import { countWritesScript } from './scripts/count-writes-script';

/** The keys of one write-behind stream; they share the stream's own hash tag (one slot). */
export interface WriteStream {
  readonly key: string;
  /** Which worker drains the stream now. */
  readonly lease: string;
  /** Failed flushes per entry id. */
  readonly fails: string;
  /** Entries that failed `maxRetries` times. */
  readonly dead: string;
}

/** The consumer group every worker of one cache joins. */
export const writeBehindGroup = 'rw-write-behind';

/** `<prefix>cache:{wb<i>}:writes` and its companions, for i in 0..streams-1. */
export function writeStreams(keyspace: Keyspace, streams: number): WriteStream[] {
  return Array.from({ length: streams }, (_, i) => ({
    key: keyspace.key(`wb${i}`, 'writes'),
    lease: keyspace.key(`wb${i}`, 'lease'),
    fails: keyspace.key(`wb${i}`, 'fails'),
    dead: keyspace.key(`wb${i}`, 'dead'),
  }));
}

/** The writer side: appends each write to the stream its key hashes to (one key, one stream: order kept). */
export class WriteBehindQueue {
  readonly streams: readonly WriteStream[];
  readonly #backend: Backend;

  constructor(backend: Backend, keyspace: Keyspace, streams: number) {
    this.#backend = backend;
    this.streams = writeStreams(keyspace, streams);
  }

  /** Resolves once the write is in the stream (Redis replied to XADD); rejects otherwise. */
  append(
    identity: string,
    key: string,
    namespace: string | undefined,
    encoded: EncodedValue,
  ): Promise<string> {
    const stream = this.#streamOf(identity);
    return this.#backend.run(
      appendWriteScript,
      [stream.key],
      [key, namespace ?? '', encoded.bytes, encoded.kind],
    );
  }

  /** Writes in every stream not flushed yet. */
  async pending(): Promise<number> {
    const counts = await Promise.all(
      this.streams.map((stream) => this.#backend.run(countWritesScript, [stream.key], [])),
    );
    return counts.reduce((sum, count) => sum + Number(count), 0);
  }

  #streamOf(identity: string): WriteStream {
    if (this.streams.length === 1) return this.streams[0] as WriteStream;
    const hash = createHash('sha1').update(identity).digest().readUInt32BE(0);
    return this.streams[hash % this.streams.length] as WriteStream;
  }
}
