import type { Backend, RunOptions, Subscription } from './backend';
import type { Deadline } from './call-deadline';
import type { ClientHealth, HealthChange } from './client-health';
import { DeadlineQueue } from './deadline-queue';
import { classifyRedisError, isNoScriptError } from './driver/classify-error';
import type { RedisDriver } from './driver/driver';
import type { RedisArg } from './driver/redis-client';
import { assertSameSlot } from './same-slot';
import type { Script, ScriptArg } from './script';
import { assertOneSlot, groupBySlot } from './slot-groups';

/**
 * Runs every operation through a RedisDriver, each under the deadline, errors classified. The
 * client's health, shared with every backend on the same client, is told of each failure; while
 * it knows Redis is down, commands fail at once. Subscriptions live on a connection of their own
 * and are left out of both.
 */
export class RedisBackend implements Backend {
  readonly kind = 'redis' as const;
  readonly cluster: boolean;
  readonly timeoutMs: number;
  readonly #driver: RedisDriver;
  readonly #subscriptions = new Set<Subscription>();
  readonly #deadlines: DeadlineQueue;
  readonly #subscriberDeadlines: DeadlineQueue;
  readonly #health: ClientHealth;
  readonly #detachHealth: () => void;

  constructor(
    driver: RedisDriver,
    timeoutMs: number,
    health: ClientHealth,
    onHealthChange?: (change: HealthChange) => void,
  ) {
    this.#driver = driver;
    this.cluster = driver.cluster;
    this.timeoutMs = timeoutMs;
    this.#health = health;
    this.#deadlines = new DeadlineQueue(
      timeoutMs,
      driver.abortable,
      (error, operation) => {
        const classified = classifyRedisError(error, operation);
        health.failed(classified);
        return classified;
      },
      () => health.answered(),
    );
    this.#subscriberDeadlines = new DeadlineQueue(timeoutMs, driver.abortable, classifyRedisError);
    this.#detachHealth = health.attach({
      probe: () =>
        this.#deadlines.run(({ signal }) => driver.send(['PING'], undefined, { signal }), 'probe PING'),
      onChange: onHealthChange,
    });
  }

  run<Reply>(
    script: Script<Reply>,
    keys: readonly string[],
    args: readonly ScriptArg[],
    options: RunOptions<Reply> = {},
  ): Promise<Reply> {
    try {
      if (!options.batch) assertSameSlot(keys, script.name);
      else if (this.cluster) assertOneSlot(keys, script.name);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.#health.isDown) return Promise.reject(this.#health.downError(`script ${script.name}`));
    const buffers = options.buffers === true;
    if (script.command !== '') {
      const command = plainCommand(script.command, keys, args);
      return this.#deadlines.run(
        ({ signal }) => this.#driver.send(command, keys[0], { buffers, signal }) as Promise<Reply>,
        `command ${script.name}`,
        options.onLateReply,
      );
    }
    const command = evalshaCommand(script, keys, args);
    return this.#deadlines.run(
      (deadline) => this.#evalsha(script, command, keys[0], buffers, deadline) as Promise<Reply>,
      `script ${script.name}`,
      options.onLateReply,
    );
  }

  /** EVALSHA first; only a NOSCRIPT reply sends the source (which also caches it). Any other error is final. */
  #evalsha(
    script: Script<unknown>,
    command: RedisArg[],
    routingKey: string | undefined,
    buffers: boolean,
    deadline: Deadline,
  ): Promise<unknown> {
    const options = { buffers, signal: deadline.signal };
    return this.#driver.send(command, routingKey, options).catch((error: unknown) => {
      // After the deadline nobody waits for the answer: sending the script now would be a ghost write.
      if (!isNoScriptError(error) || deadline.expired) throw error;
      const evalCommand = command.slice();
      evalCommand[0] = 'EVAL';
      evalCommand[1] = script.source;
      return this.#driver.send(evalCommand, routingKey, options);
    });
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
    const unsubscribe = await this.#subscriberDeadlines.run(
      () => this.#driver.subscribe(channel, listener),
      'subscribe',
    );
    const subscription: Subscription = {
      unsubscribe: async () => {
        if (!this.#subscriptions.delete(subscription)) return;
        await this.#subscriberDeadlines.run(unsubscribe, 'unsubscribe');
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
    this.#detachHealth();
    await Promise.allSettled([...this.#subscriptions].map((subscription) => subscription.unsubscribe()));
    await this.#driver.close();
  }

  #call<T>(operation: string, work: (deadline: Deadline) => Promise<T>): Promise<T> {
    if (this.#health.isDown) return Promise.reject(this.#health.downError(operation));
    return this.#deadlines.run(work, operation);
  }
}

/** `command ...keys ...args`. */
function plainCommand(name: string, keys: readonly string[], args: readonly ScriptArg[]): RedisArg[] {
  const command: RedisArg[] = [name, ...keys];
  for (const arg of args) command.push(typeof arg === 'number' ? String(arg) : arg);
  return command;
}

/** `EVALSHA sha numkeys ...keys ...args`, built in one array. */
function evalshaCommand(
  script: Script<unknown>,
  keys: readonly string[],
  args: readonly ScriptArg[],
): RedisArg[] {
  const command: RedisArg[] = new Array(3 + keys.length + args.length);
  command[0] = 'EVALSHA';
  command[1] = script.sha;
  command[2] = String(keys.length);
  for (let i = 0; i < keys.length; i++) command[3 + i] = keys[i] as string;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as ScriptArg;
    command[3 + keys.length + i] = typeof arg === 'number' ? String(arg) : arg;
  }
  return command;
}
