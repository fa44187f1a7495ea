/**
 * In-process single flight: concurrent calls for one key share one promise, so a process sends
 * one read (and runs at most one loader) per key at a time however many callers ask. The flight
 * is forgotten as soon as it settles (or leaves, see `run`); its callers share its outcome, an error included.
 */
export class SingleFlight {
  readonly #flights = new Map<string, Promise<unknown>>();
  readonly #onJoin: () => void;

  /** `onJoin` runs for each call that shares a running flight instead of starting one. */
  constructor(onJoin: () => void = () => {}) {
    this.#onJoin = onJoin;
  }

  /**
   * `work` may call `leave` once its value is decided but before it is written: later callers
   * then start their own flight (and read Redis) rather than join one whose value may predate an
   * invalidation made since. Callers that already joined still share its outcome.
   */
  run<T>(key: string, work: (leave: () => void) => Promise<T>): Promise<T> {
    const running = this.#flights.get(key);
    if (running) {
      this.#onJoin();
      return running as Promise<T>;
    }
    let flight: Promise<T> | undefined;
    let left = false;
    const leave = (): void => {
      left = true;
      if (flight !== undefined && this.#flights.get(key) === flight) this.#flights.delete(key);
    };
    flight = work(leave).finally(leave);
    if (!left) this.#flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.#flights.size;
  }
}
