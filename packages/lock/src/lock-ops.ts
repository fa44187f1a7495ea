import { atTurnEnd, type Backend, type ScriptArg } from '@rediware/core';
import type { AcquireReply } from './acquire-script';
import { lockOpsScript } from './lock-ops-script';

/** Most operations one script call runs: bounds the time Redis spends in one script. */
export const maxOpsPerCall = 64;

interface PendingOp {
  readonly keys: readonly string[];
  readonly args: readonly ScriptArg[];
  resolve(reply: AcquireReply | number): void;
  reject(error: unknown): void;
}

/**
 * Sends the acquires and releases started in one event-loop turn (by the requests read from their
 * sockets together) as one lock-ops script call, at the end of the turn's I/O (`atTurnEnd`,
 * when the client writes its commands anyway), in the order they were started: Redis runs them
 * one after another, exactly as it would have run the separate calls, and pays a script's fixed
 * cost once. On a cluster the operations are grouped by slot, one call per slot. A failed call
 * (Redis down, deadline) rejects each of its operations; if it still runs after its deadline,
 * the locks it took are released.
 */
export class LockOps {
  readonly #backend: Backend;
  #pending: PendingOp[] = [];
  readonly #flush = (): void => this.#send();

  constructor(backend: Backend) {
    this.#backend = backend;
  }

  /** `redisKeys`: a LockTarget's (holders, per-key counters, the slot's counter). */
  acquire(redisKeys: readonly string[], owner: string, ttlMs: number, limit: number): Promise<AcquireReply> {
    const n = (redisKeys.length - 1) / 2;
    return this.#add(redisKeys, ['a', n, owner, ttlMs, limit]) as Promise<AcquireReply>;
  }

  /** Resolves with the number of `holderKeys` this owner still held. */
  release(holderKeys: readonly string[], owner: string): Promise<number> {
    return this.#add(holderKeys, ['r', holderKeys.length, owner]) as Promise<number>;
  }

  #add(keys: readonly string[], args: readonly ScriptArg[]): Promise<AcquireReply | number> {
    return new Promise((resolve, reject) => {
      if (this.#pending.length === 0) atTurnEnd(this.#flush);
      this.#pending.push({ keys, args, resolve, reject });
    });
  }

  #send(): void {
    const ops = this.#pending;
    this.#pending = [];
    const groups = this.#backend.cluster
      ? this.#backend
          .slotGroups(ops.map((op) => op.keys[0] as string))
          .map((group) => group.map((i) => ops[i] as PendingOp))
      : [ops];
    for (const group of groups) {
      for (let start = 0; start < group.length; start += maxOpsPerCall) {
        this.#run(group.slice(start, start + maxOpsPerCall));
      }
    }
  }

  #run(ops: readonly PendingOp[]): void {
    const keys: string[] = [];
    const args: ScriptArg[] = [];
    for (const op of ops) {
      for (const key of op.keys) keys.push(key);
      for (const arg of op.args) args.push(arg);
    }
    let sent: Promise<(AcquireReply | number)[]>;
    try {
      sent = this.#backend.run(lockOpsScript, keys, args, {
        batch: true,
        onLateReply: (reply) => this.#takeBack(ops, reply),
      });
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (reply) => {
        for (let i = 0; i < ops.length; i++) ops[i]?.resolve(reply[i] as AcquireReply | number);
      },
      (error: unknown) => {
        for (const op of ops) op.reject(error);
      },
    );
  }

  /**
   * A call that timed out (its callers got a RedisError) but ran later, say when the client sent
   * it again after a failover: the locks it took have no holder, so they are released as soon as
   * the reply says so. The locker's own release at the timeout may have run before this call did.
   */
  #takeBack(ops: readonly PendingOp[], reply: readonly (AcquireReply | number)[]): void {
    ops.forEach((op, i) => {
      const outcome = reply[i];
      if (op.args[0] !== 'a' || !Array.isArray(outcome) || outcome[0] !== 1) return;
      const n = op.args[1] as number;
      this.release(op.keys.slice(0, n), op.args[2] as string).catch(() => {});
    });
  }
}
