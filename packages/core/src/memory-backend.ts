import { EventEmitter } from 'node:events';
import type { Backend, RunOptions, Subscription } from './backend';
import type { Clock } from './clock';
import { MemoryStore } from './memory-store';
import { assertSameSlot } from './same-slot';
import type { Script, ScriptArg } from './script';
import { groupBySlot } from './slot-groups';

/** The memory backend's settings (`createBackend` fills them in). */
export interface MemoryBackendOptions {
  /** The time source. */
  clock: Clock;
  /** Live keys kept at most; the least recently used is dropped beyond it. */
  maxEntries: number;
  /** How often expired entries are swept, in ms. */
  sweepIntervalMs: number;
}

/**
 * One process's backend: each script's TypeScript twin runs against a bounded MemoryStore.
 * Replies are converted the way Redis would send them (strings or Buffers, as asked).
 */
export class MemoryBackend implements Backend {
  readonly kind = 'memory' as const;
  readonly cluster = false;
  readonly timeoutMs = 0;
  /** The keys and values the memory scripts operate on. */
  readonly store: MemoryStore;
  readonly #clock: Clock;
  readonly #channels = new EventEmitter().setMaxListeners(0);

  constructor(options: MemoryBackendOptions) {
    this.#clock = options.clock;
    this.store = new MemoryStore(options);
  }

  async run<Reply>(
    script: Script<Reply>,
    keys: readonly string[],
    args: readonly ScriptArg[],
    options: RunOptions<Reply> = {},
  ): Promise<Reply> {
    if (!options.batch) assertSameSlot(keys, script.name);
    const reply = script.memory(
      { store: this.store, now: this.#clock(), publish: this.#deliver },
      keys,
      args,
    );
    return asRedisReply(reply, options.buffers === true) as Reply;
  }

  slotGroups(keys: readonly string[]): number[][] {
    return groupBySlot(keys, false);
  }

  async publish(channel: string, message: string): Promise<void> {
    this.#deliver(channel, message);
  }

  /** Redis delivers to subscribers after PUBLISH (or the script) returns; so does this. */
  readonly #deliver = (channel: string, message: string): void => {
    setImmediate(() => this.#channels.emit(channel, message));
  };

  async subscribe(channel: string, listener: (message: string) => void): Promise<Subscription> {
    this.#channels.on(channel, listener);
    return {
      unsubscribe: async () => {
        this.#channels.off(channel, listener);
      },
    };
  }

  async *scan(pattern: string, batchSize = 500): AsyncIterable<string[]> {
    const matcher = globToRegExp(pattern);
    let batch: string[] = [];
    for (const key of [...this.store.keys()]) {
      if (!matcher.test(key)) continue;
      batch.push(key);
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  async close(): Promise<void> {
    this.#channels.removeAllListeners();
    this.store.close();
  }
}

/** Strings become Buffers when asked for, Buffers become strings otherwise; arrays recursively. */
function asRedisReply(reply: unknown, buffers: boolean): unknown {
  if (Array.isArray(reply)) return reply.map((item) => asRedisReply(item, buffers));
  if (buffers && typeof reply === 'string') return Buffer.from(reply);
  if (!buffers && Buffer.isBuffer(reply)) return reply.toString();
  return reply === undefined ? null : reply;
}

/** Redis glob (`*`, `?`, `[...]`, `\` escapes) as a RegExp, for SCAN MATCH on the memory backend. */
export function globToRegExp(pattern: string): RegExp {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i] as string);
    else if (char === '*') source += '[\\s\\S]*';
    else if (char === '?') source += '[\\s\\S]';
    else if (char === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end === -1) source += '\\[';
      else {
        const body = pattern.slice(i + 1, end);
        source += `[${body.startsWith('^') ? `^${escapeClass(body.slice(1))}` : escapeClass(body)}]`;
        i = end;
      }
    } else source += escapeRegExp(char);
  }
  return new RegExp(`^${source}$`);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

function escapeClass(body: string): string {
  return body.replace(/[\\\]^]/g, '\\$&');
}
