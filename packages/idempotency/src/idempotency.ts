import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Backend,
  bindCounters,
  type CoreEvents,
  countersSnapshot,
  createBackend,
  type EngineCounters,
  type FailPolicy,
  RediwareEmitter,
  type Script,
  type ScriptArg,
  withFailPolicy,
} from '@rediware/core';
import { type BeginReply, beginScript } from './begin-script';
import { completeScript } from './complete-script';
import { IdempotencyCorruptRecordError } from './errors';
import { extendScript } from './extend-script';
import { type IdempotencyMetrics, idempotencyMetricSpecs } from './idempotency-metrics';
import { Flight, type FlightOperations } from './in-flight';
import { type IdempotencyStoreOptions, parseStoreOptions, type StoreConfig } from './options';
import { createRecordKeys, type RecordKeys, settledChannel } from './record-keys';
import { decodeStoredHeaders } from './record-shape';
import { releaseScript } from './release-script';
import { SettledWakes } from './settled-wakes';
import type { StoredResponse } from './stored-response';

/** One request's identity: whose key, the key, and what the request was. */
export interface IdempotencyRequest {
  /** Whose keys these are ('' for one global scope). */
  scope: string;
  /** The `Idempotency-Key` value. */
  key: string;
  /** What makes two requests the same (see the `fingerprint` option). */
  fingerprint: string;
  /** How long to wait for a request with the same key that is still running, in ms. @default 0 */
  waitMs?: number;
}

/** What to do with a request: run it (holding the key), replay, or refuse. */
export type Decision = RunDecision | ReplayDecision | BusyDecision | MismatchDecision;

/** The first request with its key: it holds the in-flight marker until its flight ends. */
export interface RunDecision {
  /** Tells the decisions apart. */
  readonly kind: 'run';
  /** Completes (stores the response) or releases the marker. */
  readonly flight: Flight;
}

/** The key's request completed: its stored response. */
export interface ReplayDecision {
  /** Tells the decisions apart. */
  readonly kind: 'replay';
  /** What to send again. */
  readonly response: StoredResponse;
}

/** A request with the key still runs (after `waitMs`). */
export interface BusyDecision {
  /** Tells the decisions apart. */
  readonly kind: 'busy';
  /** How long its marker still lasts, in ms. */
  readonly retryAfterMs: number;
}

/** The key was used with another fingerprint. */
export interface MismatchDecision {
  /** Tells the decisions apart. */
  readonly kind: 'mismatch';
}

/** A stored record this package could not have written: the request took its key over. */
export interface CorruptRecordEvent {
  /** The scope of the key ('' for one global scope). */
  readonly scope: string;
  /** The `Idempotency-Key` value. */
  readonly key: string;
  /** `ERR_RW_IDEMPOTENCY_CORRUPT`, its message saying what was wrong. */
  readonly error: IdempotencyCorruptRecordError;
}

/**
 * The events of an idempotency store: the core ones (`failure`, `connectionError`), and `corrupt`
 * for a record of another Redis type or shape (Redis worked: no `failure`).
 */
export type IdempotencyEvents = CoreEvents & {
  /** A corrupt record was taken over: the request ran as a first one. */
  corrupt: [CorruptRecordEvent];
};

/** Creates the store of idempotency records on one Redis (or in memory). */
export function createIdempotency(options: IdempotencyStoreOptions = {}): Idempotency {
  return new Idempotency(parseStoreOptions(options));
}

/**
 * How long a waiting retry sleeps between looks, at most: it starts at 25 ms and doubles. While
 * the store listens for settled keys, a retry is woken when its key settles and looks again at the
 * latest after 2 s (or when the marker would expire).
 */
const maxPollMs = 500;
const maxPollListeningMs = 2_000;

/** Looks at one key per decision, at most: a done record with corrupt headers takes a second. */
const maxLooks = 3;

/**
 * The records of idempotency keys: `begin` decides a request in one script (take the in-flight
 * marker, replay, busy or mismatch); the Flight it returns completes or releases the marker.
 * Fails closed: a Redis failure rejects (and emits `failure`).
 */
export class Idempotency extends RediwareEmitter<IdempotencyEvents> {
  readonly #config: StoreConfig;
  readonly #backend: Backend;
  readonly #keys: (scope: string, key: string) => RecordKeys;
  readonly #flights = new Set<Flight>();
  readonly #channel: string;
  readonly #wakes: SettledWakes;
  readonly #metrics: EngineCounters<keyof typeof idempotencyMetricSpecs>;
  readonly #policy = (operation: string): FailPolicy<never> => ({
    operation,
    failOpen: false,
    onFailure: (event) => {
      this.#metrics.errors.add();
      this.emit('failure', event);
    },
  });
  readonly #ops: FlightOperations = {
    extend: (record, owner) => this.#run(extendScript, [record], [owner, this.#config.lockTtlMs]),
    complete: (record, owner, args) => this.#run(completeScript, [record], [owner, ...args, this.#channel]),
    release: (record, owner) => this.#run(releaseScript, [record], [owner, this.#channel]),
    settled: (flight) => this.#flights.delete(flight),
  };

  constructor(config: StoreConfig) {
    super();
    this.#config = config;
    this.#backend = createBackend({
      redis: config.redis,
      timeout: config.timeoutMs,
      packageName: '@rediware/idempotency',
      holdsState: 'idempotency records',
      onConnectionError: (error) => this.emit('connectionError', error),
    });
    this.#keys = createRecordKeys(config.prefix);
    this.#channel = settledChannel(config.prefix);
    this.#wakes = new SettledWakes(this.#backend, this.#channel);
    this.#metrics = bindCounters(idempotencyMetricSpecs, config.metrics);
  }

  /** Totals of the store's counters since it was created (the same ones the `metrics` sink gets). */
  metrics(): IdempotencyMetrics {
    return countersSnapshot(this.#metrics);
  }

  /**
   * Decides one request; with `waitMs`, a busy key is looked at again when it settles (or after a
   * pause) until it completes or the wait ends.
   */
  async begin(request: IdempotencyRequest): Promise<Decision> {
    const keys = this.#keys(request.scope, request.key);
    const owner = randomUUID();
    const deadline = Date.now() + (request.waitMs ?? 0);
    let listening = false;
    for (let pause = 25; ; pause = Math.min(pause * 2, maxPollMs)) {
      const watch = listening ? this.#wakes.watch(keys.record) : undefined;
      const decision = await this.#decide(request, keys, owner);
      const left = deadline - Date.now();
      if (decision.kind !== 'busy' || left <= 0) {
        watch?.stop();
        return this.#counted(decision);
      }
      // Once the store listens, look again at once: the key may have settled before it did.
      if (!listening) {
        listening = await this.#wakes.listening();
        if (listening) continue;
      }
      const marker = Math.max(decision.retryAfterMs, 1);
      if (watch) await watch.until(Math.min(maxPollListeningMs, left, marker));
      else await sleep(Math.min(pause, left, marker));
    }
  }

  /** Stops every flight's extension and closes the backend. */
  async close(): Promise<void> {
    for (const flight of this.#flights) flight.stopExtending();
    this.#flights.clear();
    await this.#wakes.close();
    await this.#backend.close();
  }

  /**
   * One look at the key. A done record whose headers do not decode is looked at again with those
   * headers named corrupt, so the script takes it over only if nobody changed it in between.
   */
  async #decide(request: IdempotencyRequest, keys: RecordKeys, owner: string): Promise<Decision> {
    let corruptHeaders: Buffer | undefined;
    for (let look = 0; look < maxLooks; look++) {
      const reply = await this.#begin(keys, request.fingerprint, owner, corruptHeaders);
      const [kind, first, second, body] = reply;
      switch (String(kind)) {
        case 'run': {
          if (second !== undefined) this.#corrupt(request, String(second));
          const flight = new Flight(keys.record, owner, Number(first), this.#config.lockTtlMs, this.#ops);
          this.#flights.add(flight);
          return { kind: 'run', flight };
        }
        case 'done': {
          const headers = decodeStoredHeaders(String(second));
          if (headers === undefined) {
            corruptHeaders = second as Buffer;
            continue;
          }
          return {
            kind: 'replay',
            response: { status: Number(String(first)), headers, body: body as Buffer },
          };
        }
        case 'busy':
          return { kind: 'busy', retryAfterMs: Number(first) };
        default:
          return { kind: 'mismatch' };
      }
    }
    // Someone keeps writing other corrupt headers under this key between two looks: a retry may
    // find it settled.
    return { kind: 'busy', retryAfterMs: 1_000 };
  }

  #begin(keys: RecordKeys, fingerprint: string, owner: string, corruptHeaders: Buffer | undefined) {
    const args: ScriptArg[] = [fingerprint, owner, this.#config.lockTtlMs];
    if (corruptHeaders !== undefined) args.push(corruptHeaders);
    return withFailPolicy(
      this.#backend.run<BeginReply>(beginScript, [keys.record, keys.slotFence], args, {
        // Two hash tags of one slot (record-keys.ts): fine on a cluster, like the lock's slot counter.
        batch: true,
        buffers: true,
        // A marker taken after the deadline answered 503 would block the key for lockTtl.
        onLateReply: (late) => {
          if (String(late[0]) === 'run')
            this.#run(releaseScript, [keys.record], [owner, this.#channel]).catch(() => {});
        },
      }),
      this.#policy(beginScript.name),
    );
  }

  #counted(decision: Decision): Decision {
    const counters = { run: 'runs', replay: 'replays', busy: 'busy', mismatch: 'mismatches' } as const;
    this.#metrics[counters[decision.kind]].add();
    return decision;
  }

  #corrupt(request: IdempotencyRequest, reason: string): void {
    this.#metrics.corrupt.add();
    const error = new IdempotencyCorruptRecordError(reason);
    this.emit('corrupt', { scope: request.scope, key: request.key, error });
  }

  async #run(script: Script<number>, keys: readonly string[], args: readonly ScriptArg[]): Promise<boolean> {
    return (await withFailPolicy(this.#backend.run(script, keys, args), this.#policy(script.name))) === 1;
  }
}
