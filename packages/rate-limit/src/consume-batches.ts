import { atTurnEnd } from '@rediware/core';

/**
 * Runs one script call for `count` consumes of `key` at `cost` (and the call's own limit, if any);
 * the reply holds each in turn.
 */
export type BatchRunner<Reply> = (
  key: string,
  cost: number,
  count: number,
  limit: number | undefined,
) => Promise<Reply>;

/** Most consumes one script call decides: bounds the time Redis spends in one script. */
export const maxBatchSize = 128;

interface Waiter<Reply> {
  resolve(value: { reply: Reply; index: number }): void;
  reject(error: unknown): void;
}

interface Batch<Reply> {
  readonly key: string;
  readonly cost: number;
  readonly limit: number | undefined;
  readonly waiters: Waiter<Reply>[];
}

/**
 * Consumes of one key and cost that arrive in the same event-loop turn (concurrent requests of one
 * client, read from their sockets together) share one script call, sent at the end of the turn's
 * I/O (`atTurnEnd`, when the client writes its commands anyway). The script decides them one
 * after another, so each request gets exactly the decision it would have had alone, in an order
 * that is one of the orders they could have reached Redis in: the limit stays exact. A hot key then
 * costs Redis one script per turn instead of one per request.
 */
export class ConsumeBatches<Reply> {
  readonly #run: BatchRunner<Reply>;
  #open = new Map<string, Batch<Reply>>();
  #full: Batch<Reply>[] = [];
  #scheduled = false;
  readonly #flush = (): void => this.#send();

  constructor(run: BatchRunner<Reply>) {
    this.#run = run;
  }

  /** This consume's place in its batch's reply, once the batch was decided. */
  add(key: string, cost: number, limit?: number): Promise<{ reply: Reply; index: number }> {
    let id = cost === 1 ? key : `${cost}\u0000${key}`;
    if (limit !== undefined) id = `${limit}\u0001${id}`;
    let batch = this.#open.get(id);
    if (batch === undefined) {
      batch = { key, cost, limit, waiters: [] };
      this.#open.set(id, batch);
    }
    const current = batch;
    const added = new Promise<{ reply: Reply; index: number }>((resolve, reject) => {
      current.waiters.push({ resolve, reject });
    });
    if (current.waiters.length === maxBatchSize) {
      this.#open.delete(id);
      this.#full.push(current);
    }
    if (!this.#scheduled) {
      this.#scheduled = true;
      atTurnEnd(this.#flush);
    }
    return added;
  }

  #send(): void {
    this.#scheduled = false;
    const batches = this.#full;
    this.#full = [];
    for (const batch of this.#open.values()) batches.push(batch);
    this.#open = new Map();
    for (const batch of batches) this.#decide(batch);
  }

  #decide({ key, cost, limit, waiters }: Batch<Reply>): void {
    let sent: Promise<Reply>;
    try {
      sent = this.#run(key, cost, waiters.length, limit);
    } catch (error) {
      sent = Promise.reject(error);
    }
    sent.then(
      (reply) => {
        for (let index = 0; index < waiters.length; index++) waiters[index]?.resolve({ reply, index });
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}
