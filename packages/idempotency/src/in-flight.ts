/** What a Flight asks of its engine: the three scripts on its record, each under the fail policy. */
export interface FlightOperations {
  extend(record: string, owner: string): Promise<boolean>;
  complete(record: string, owner: string, args: readonly (string | number | Buffer)[]): Promise<boolean>;
  release(record: string, owner: string): Promise<boolean>;
  /** The flight ended: the engine stops tracking it. */
  settled(flight: Flight): void;
}

/**
 * A request that holds the in-flight marker of its key: extended every third of the marker's ttl
 * until it completes (the response is stored) or is released (a retry may run the handler again).
 */
export class Flight {
  /** Strictly greater than every earlier token of the key's slot: guards writes the handler makes. */
  readonly fencingToken: number;
  readonly #record: string;
  readonly #owner: string;
  readonly #ops: FlightOperations;
  #timer: NodeJS.Timeout | undefined;
  #settled = false;

  constructor(record: string, owner: string, fencingToken: number, lockTtlMs: number, ops: FlightOperations) {
    this.#record = record;
    this.#owner = owner;
    this.fencingToken = fencingToken;
    this.#ops = ops;
    this.#timer = setInterval(() => void this.#extend(), Math.max(1, Math.floor(lockTtlMs / 3)));
    this.#timer.unref();
  }

  /** Stops extending: the marker then expires after its ttl unless the flight ends first. */
  stopExtending(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Stores the response for `ttl`; false when the marker was no longer this request's. */
  complete(
    response: { status: number; headers: Readonly<Record<string, unknown>>; body: Buffer },
    ttlMs: number,
  ): Promise<boolean> {
    if (!this.#settle()) return Promise.resolve(false);
    return this.#ops.complete(this.#record, this.#owner, [
      ttlMs,
      response.status,
      JSON.stringify(response.headers),
      response.body,
    ]);
  }

  /** Deletes the marker so that a retry runs the handler again. */
  async release(): Promise<void> {
    if (this.#settle()) await this.#ops.release(this.#record, this.#owner);
  }

  #settle(): boolean {
    if (this.#settled) return false;
    this.#settled = true;
    this.stopExtending();
    this.#ops.settled(this);
    return true;
  }

  async #extend(): Promise<void> {
    // A failure was reported as a `failure` event; the next interval tries again.
    const held = await this.#ops.extend(this.#record, this.#owner).catch(() => true);
    if (!held) this.stopExtending();
  }
}
