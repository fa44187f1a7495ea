import { createHash } from 'node:crypto';
import { type Backend, createKeyspace, isRedisError, type Keyspace, type ScriptArg } from '@rediware/core';
import type { WriteGuard } from './engine-port';
import { admissionReplies, sketchRows, sketchWidth, storeAdmissionScript } from './store-admission-script';

/** The response cache's admission rule and store budget, validated (see ResponseCacheOptions). */
export interface AdmissionConfig {
  readonly minUses: number;
  readonly windowMs: number;
  readonly maxEntries: number;
  /** Fraction of Redis maxmemory in thousandths; 0: not checked. */
  readonly maxMemoryPermille: number;
}

/** What became of a storable response. */
export type Admission = 'stored' | 'unadmitted' | 'over-budget' | 'failed';
/** Why a storable response was not stored. */
export type Refusal = Exclude<Admission, 'stored'>;

const byReply = new Map<number, Admission>([
  [admissionReplies.stored, 'stored'],
  [admissionReplies.unadmitted, 'unadmitted'],
  [admissionReplies.overMemory, 'over-budget'],
  [admissionReplies.overEntries, 'over-budget'],
]);

function admissionOf(reply: number): Admission {
  return byReply.get(Number(reply)) ?? 'failed';
}

/**
 * Decides, per storable response, whether the response cache writes it: one script on the store
 * path (a miss whose response may be stored), never on a hit. On a standalone server the engine
 * runs it first in the script that writes the entry (`guard`); elsewhere, or before a variant is
 * written, it is a call of its own. Its keys share one hash tag so the call is single-slot on a
 * cluster.
 */
export class StoreAdmission {
  readonly #backend: Backend;
  readonly #keyspace: Keyspace;
  readonly #config: AdmissionConfig;
  /** Until then every check fails at once: Redis just failed, a check would wait out its deadline. */
  #pausedUntil = 0;

  constructor(backend: Backend, prefix: string, config: AdmissionConfig) {
    this.#backend = backend;
    this.#keyspace = createKeyspace(prefix, 'cache');
    this.#config = config;
  }

  /**
   * Counts a use of `key` and reserves budget for `keys` (the entry keys about to be written,
   * `key` first), alive for `lifetimeMs`. Never rejects: a failed check stores nothing.
   */
  async admit(keys: readonly string[], lifetimeMs: number): Promise<Admission> {
    if (this.paused) return 'failed';
    const check = this.#check(keys, lifetimeMs);
    try {
      return admissionOf(await this.#backend.run(storeAdmissionScript, check.keys, check.args));
    } catch (error) {
      if (!isRedisError(error)) throw error;
      this.pause();
      return 'failed';
    }
  }

  /**
   * The same check as `admit`, made by the engine in the script that writes the entry (no round
   * trip of its own on a standalone server); `refused` hears why nothing was written.
   */
  guard(keys: readonly string[], lifetimeMs: number, refused: (admission: Refusal) => void): WriteGuard {
    return {
      script: storeAdmissionScript,
      ...this.#check(keys, lifetimeMs),
      refused: (reply) => refused(reply === undefined ? 'failed' : (admissionOf(reply) as Refusal)),
    };
  }

  /** Redis failed a moment ago: every check fails at once until its deadline has passed. */
  get paused(): boolean {
    return Date.now() < this.#pausedUntil;
  }

  #check(keys: readonly string[], lifetimeMs: number): { keys: string[]; args: ScriptArg[] } {
    const { minUses, windowMs, maxEntries, maxMemoryPermille } = this.#config;
    const window = Math.floor(Date.now() / windowMs);
    const digests = keys.map((key) => createHash('sha256').update(key).digest());
    return {
      keys: [
        this.#sketchKey(window),
        this.#sketchKey(window - 1),
        this.#keyspace.key('response-store', 'entries'),
      ],
      args: [
        minUses,
        2 * windowMs,
        maxEntries,
        maxMemoryPermille,
        Math.max(1, Math.ceil(lifetimeMs)),
        ...sketchPositions(digests[0] ?? Buffer.alloc(32)),
        ...digests.map(indexMember),
      ],
    };
  }

  /**
   * Redis failed: for one deadline, store nothing rather than wait for Redis again (a Fastify miss
   * waits for its store, so it would take two deadlines instead of one).
   */
  pause(): void {
    this.#pausedUntil = Date.now() + this.#backend.timeoutMs;
  }

  close(): Promise<void> {
    return this.#backend.close();
  }

  #sketchKey(window: number): string {
    return this.#keyspace.key('response-store', `uses:${window}`);
  }
}

/** The key's counter in each row of the sketch: independent 16-bit slices of its digest. */
function sketchPositions(digest: Buffer): number[] {
  return Array.from({ length: sketchRows }, (_, row) => digest.readUInt16BE(2 * row) % sketchWidth);
}

/** A short fixed-size name for an entry in the budget index: 96 other bits of its digest. */
function indexMember(digest: Buffer): string {
  return digest.subarray(8, 20).toString('base64url');
}
