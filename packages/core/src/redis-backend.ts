import type { Backend, RunOptions, Subscription } from './backend';
import { type Deadline, withDeadline } from './deadline';
import { classifyRedisError, isNoScriptError } from './driver/classify-error';
import type { RedisDriver } from './driver/driver';
import type { RedisArg } from './driver/redis-client';
import { assertSameSlot } from './same-slot';
import type { Script, ScriptArg } from './script';
import { assertOneSlot, groupBySlot } from './slot-groups';

/** Runs every operation through a RedisDriver, each under the deadline, errors classified. */
export class RedisBackend implements Backend {
  readonly kind = 'redis' as const;
  readonly cluster: boolean;
  readonly timeoutMs: number;
  readonly #driver: RedisDriver;
  readonly #subscriptions = new Set<Subscription>();

  constructor(driver: RedisDriver, timeoutMs: number) {
    this.#driver = driver;
    this.cluster = driver.cluster;
    this.timeoutMs = timeoutMs;
  }

  async run<Reply>(
    script: Script<Reply>,
    keys: readonly string[],
    args: readonly ScriptArg[],
    options: RunOptions = {},
  ): Promise<Reply> {
    if (!options.batch) assertSameSlot(keys, script.name);
    else if (this.cluster) assertOneSlot(keys, script.name);
    const tail: RedisArg[] = [String(keys.length), ...keys, ...args.map(toRedisArg)];
    return this.#call(`script ${script.name}`, (deadline) =>
      this.#evalsha(script, tail, keys[0], options.buffers === true, deadline),
    ) as Promise<Reply>;
  }

  /** EVALSHA first; only a NOSCRIPT reply sends the source (which also caches it). Any other error is final. */
  async #evalsha(
    script: Script<unknown>,
    tail: RedisArg[],
    routingKey: string | undefined,
    buffers: boolean,
    deadline: Deadline,
  ) {
    const options = { buffers, signal: deadline.signal };
    try {
      return await this.#driver.send(['EVALSHA', script.sha, ...tail], routingKey, options);
    } catch (error) {
      // After the deadline nobody waits for the answer: sending the script now would be a ghost write.
      if (!isNoScriptError(error) || deadline.expired) throw error;
      return this.#driver.send(['EVAL', script.source, ...tail], routingKey, options);
    }
  }

  slotGroups(keys: readonly string[]): number[][] {
    return groupBySlot(keys, this.cluster);
  }

  async publish(channel: string, message: string): Promise<void> {
    await this.#call('publish', ({ signal }) =>
      this.#driver.send(['PUBLISH', channel, message], undefined, { signal }),
    );
  }

  async subscribe(channel: string, listener: (message: string) => void): Promise<Subscription> {
    const unsubscribe = await this.#call('subscribe', () => this.#driver.subscribe(channel, listener));
    const subscription: Subscription = {
      unsubscribe: async () => {
        if (!this.#subscriptions.delete(subscription)) return;
        await this.#call('unsubscribe', unsubscribe);
      },
    };
    this.#subscriptions.add(subscription);
    return subscription;
  }

  async *scan(pattern: string, batchSize = 500): AsyncIterable<string[]> {
    const masters = await this.#call('scan', () => this.#driver.masters());
    for (const send of masters) {
      let cursor = '0';
      do {
        const reply = (await this.#call('scan', () =>
          send(['SCAN', cursor, 'MATCH', pattern, 'COUNT', String(batchSize)]),
        )) as [string | number, string[]];
        cursor = String(reply[0]);
        if (reply[1].length > 0) yield reply[1].map(String);
      } while (cursor !== '0');
    }
  }

  async close(): Promise<void> {
    await Promise.allSettled([...this.#subscriptions].map((subscription) => subscription.unsubscribe()));
    await this.#driver.close();
  }

  async #call<T>(operation: string, work: (deadline: Deadline) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(work, this.timeoutMs, operation, this.#driver.abortable);
    } catch (error) {
      throw classifyRedisError(error, operation);
    }
  }
}

function toRedisArg(arg: ScriptArg): RedisArg {
  return typeof arg === 'number' ? String(arg) : arg;
}
