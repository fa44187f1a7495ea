import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type Backend,
  type CoreEvents,
  createBackend,
  type FailPolicy,
  RediwareEmitter,
  type Script,
  type ScriptArg,
  withFailPolicy,
} from '@rediware/core';
import { type BeginReply, beginScript } from './begin-script';
import { completeScript } from './complete-script';
import { extendScript } from './extend-script';
import { Flight, type FlightOperations } from './in-flight';
import { type IdempotencyStoreOptions, parseStoreOptions, type StoreConfig } from './options';
import { createRecordKeys, type RecordKeys } from './record-keys';
import { releaseScript } from './release-script';
import { decodeStoredResponse, type StoredResponse } from './stored-response';

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

/** The events of an idempotency store: the core ones (`failure`, `connectionError`). */
export type IdempotencyEvents = CoreEvents;

/** Creates the store of idempotency records on one Redis (or in memory). */
export function createIdempotency(options: IdempotencyStoreOptions = {}): Idempotency {
  return new Idempotency(parseStoreOptions(options));
}

/** How long a waiting retry sleeps between looks, at most: it starts at 25 ms and doubles. */
const maxPollMs = 500;

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
  readonly #policy = (operation: string): FailPolicy<never> => ({
    operation,
    failOpen: false,
    onFailure: (event) => this.emit('failure', event),
  });
  readonly #ops: FlightOperations = {
    extend: (record, owner) => this.#run(extendScript, [record], [owner, this.#config.lockTtlMs]),
    complete: (record, owner, args) => this.#run(completeScript, [record], [owner, ...args]),
    release: (record, owner) => this.#run(releaseScript, [record], [owner]),
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
  }

  /** Decides one request; with `waitMs`, a busy key is looked at again until it completes or the wait ends. */
  async begin(request: IdempotencyRequest): Promise<Decision> {
    const keys = this.#keys(request.scope, request.key);
    const owner = randomUUID();
    const deadline = Date.now() + (request.waitMs ?? 0);
    for (let pause = 25; ; pause = Math.min(pause * 2, maxPollMs)) {
      const decision = await this.#decide(keys, request.fingerprint, owner);
      const left = deadline - Date.now();
      if (decision.kind !== 'busy' || left <= 0) return decision;
      await sleep(Math.min(pause, left, Math.max(decision.retryAfterMs, 1)));
    }
  }

  /** Stops every flight's extension and closes the backend. */
  async close(): Promise<void> {
    for (const flight of this.#flights) flight.stopExtending();
    this.#flights.clear();
    await this.#backend.close();
  }

  async #decide(keys: RecordKeys, fingerprint: string, owner: string): Promise<Decision> {
    const reply = await withFailPolicy(
      this.#backend.run<BeginReply>(
        beginScript,
        [keys.record, keys.slotFence],
        [fingerprint, owner, this.#config.lockTtlMs],
        {
          // Two hash tags of one slot (record-keys.ts): fine on a cluster, like the lock's slot counter.
          batch: true,
          buffers: true,
          // A marker taken after the deadline answered 503 would block the key for lockTtl.
          onLateReply: (late) => {
            if (String(late[0]) === 'run') this.#run(releaseScript, [keys.record], [owner]).catch(() => {});
          },
        },
      ),
      this.#policy(beginScript.name),
    );
    const [kind, first, headers, body] = reply;
    switch (String(kind)) {
      case 'run': {
        const flight = new Flight(keys.record, owner, Number(first), this.#config.lockTtlMs, this.#ops);
        this.#flights.add(flight);
        return { kind: 'run', flight };
      }
      case 'done':
        return {
          kind: 'replay',
          response: decodeStoredResponse(first as Buffer, headers as Buffer, body as Buffer),
        };
      case 'busy':
        return { kind: 'busy', retryAfterMs: Number(first) };
      default:
        return { kind: 'mismatch' };
    }
  }

  async #run(script: Script<number>, keys: readonly string[], args: readonly ScriptArg[]): Promise<boolean> {
    return (await withFailPolicy(this.#backend.run(script, keys, args), this.#policy(script.name))) === 1;
  }
}
