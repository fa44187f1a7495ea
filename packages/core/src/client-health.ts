import { errorReplyOf } from './driver/error-reply';
import { RedisTimeoutError, RedisUnavailableError, type RediwareError } from './errors';

/**
 * Pause between a failed probe and the next. The probe is one PING, so probing often costs
 * nothing worth counting, while every millisecond between Redis coming back and a probe noticing
 * is a request failed (or answered by a fallback) for no reason: 250 ms bounds that, and a probe
 * of a stalled Redis takes `timeout` itself, so a dead Redis sees about 1.3 PINGs a second.
 */
export const PROBE_INTERVAL_MS = 250;

/** A transition of a client's health, for `createBackend`'s `onHealthChange`. */
export interface HealthChange {
  /** False when a call found Redis down; true when a probe found it answering again. */
  readonly up: boolean;
  /** Down: the failure that marked it down. */
  readonly cause?: RediwareError;
}

/** A backend using the client: how it probes (under its own deadline) and whom to tell. */
export interface HealthUser {
  readonly probe: () => Promise<unknown>;
  readonly onChange: ((change: HealthChange) => void) | undefined;
}

/**
 * What every backend wrapping one client knows about its Redis. A call that times out or loses
 * its connection marks it down; while down, calls fail at once (`downError`) instead of each
 * waiting for its own timeout, and a background probe (at once, then PROBE_INTERVAL_MS after each
 * failed one, never two at a time, only while some backend uses the client) marks it up again as
 * soon as Redis answers. A refusal (Redis answered, but no) is not an outage and marks nothing.
 */
export class ClientHealth {
  #down: RediwareError | undefined;
  readonly #users = new Set<HealthUser>();
  #timer: NodeJS.Timeout | undefined;
  #probing = false;
  readonly #probe = (): void => this.#runProbe();

  /** True while Redis is known down. */
  get isDown(): boolean {
    return this.#down !== undefined;
  }

  /** What a call gets while Redis is known down. */
  downError(operation: string): RedisUnavailableError {
    return new RedisUnavailableError(
      `Redis is unavailable (${operation}): it was found down (${this.#down?.message}) and is being probed; calls fail at once until it answers.`,
      this.#down,
    );
  }

  /** Reports a failed call; an outage of the connection marks the client down. */
  failed(error: RediwareError): void {
    if (this.#down !== undefined || !marksDown(error)) return;
    this.#down = error;
    this.#notify({ up: false, cause: error });
    this.#schedule(0);
  }

  /**
   * A call was answered after its deadline, or the client (re)connected: Redis answers again, so
   * the client is up (a Redis still too slow marks it down on the next timeout). Stalled commands
   * are answered when Redis resumes, so this notices it before the next probe, and what a late
   * answer sets off (the locker taking back a lock nobody waits for) reaches Redis instead of
   * failing at once.
   */
  answered(): void {
    this.#up();
  }

  /** Returns `detach`, for the backend's close(). */
  attach(user: HealthUser): () => void {
    this.#users.add(user);
    this.#schedule(0);
    return () => {
      this.#users.delete(user);
      if (this.#users.size > 0 || this.#timer === undefined) return;
      clearTimeout(this.#timer);
      this.#timer = undefined;
    };
  }

  #schedule(delayMs: number): void {
    if (this.#down === undefined || this.#probing || this.#timer !== undefined || this.#users.size === 0)
      return;
    this.#timer = setTimeout(this.#probe, delayMs);
    // Probing serves the calls of a running app; it never keeps a process alive by itself.
    this.#timer.unref();
  }

  #runProbe(): void {
    this.#timer = undefined;
    const user = this.#users.values().next().value;
    if (user === undefined || this.#down === undefined) return;
    this.#probing = true;
    let probe: Promise<unknown>;
    try {
      probe = user.probe();
    } catch (error) {
      probe = Promise.reject(error);
    }
    probe.then(
      () => this.#probed(true),
      (error: unknown) => this.#probed(!marksDown(error)),
    );
  }

  /** A refused PING (a password changed meanwhile) is an answer too: the calls will say why. */
  #probed(answered: boolean): void {
    this.#probing = false;
    if (!answered) {
      this.#schedule(PROBE_INTERVAL_MS);
      return;
    }
    this.#up();
  }

  #up(): void {
    if (this.#down === undefined) return;
    this.#down = undefined;
    this.#notify({ up: true });
  }

  #notify(change: HealthChange): void {
    for (const user of this.#users) {
      try {
        user.onChange?.(change);
      } catch (error) {
        process.emitWarning(error instanceof Error ? error : String(error), 'RediwareListenerWarning');
      }
    }
  }
}

/**
 * A timeout or a lost connection; not a refusal, and not a transient reply (LOADING, READONLY,
 * ...): those come back at once, so they cost no waiting to learn again.
 */
function marksDown(error: unknown): boolean {
  if (error instanceof RedisTimeoutError) return true;
  return error instanceof RedisUnavailableError && errorReplyOf(error.cause) === undefined;
}

const byClient = new WeakMap<object, ClientHealth>();

/** The one health state of a user's client, shared by every backend (and plugin) that wraps it. */
export function clientHealthOf(client: object): ClientHealth {
  let health = byClient.get(client);
  if (health === undefined) {
    const created = new ClientHealth();
    // A client that (re)connected got its handshake answered: Redis is back, no need to wait
    // for the next probe.
    const source = client as { on?: (event: 'ready', listener: () => void) => unknown };
    if (typeof source.on === 'function') source.on('ready', () => created.answered());
    health = created;
    byClient.set(client, health);
  }
  return health;
}
