/**
 * In-process single flight: concurrent calls for one key share one promise, so a process sends
 * one read (and runs at most one loader) per key at a time however many callers ask. The flight
 * is forgotten as soon as it settles; its callers share its outcome, an error included.
 */
export class SingleFlight {
  readonly #flights = new Map<string, Promise<unknown>>();
  readonly #onJoin: () => void;

  /** `onJoin` runs for each call that shares a running flight instead of starting one. */
  constructor(onJoin: () => void = () => {}) {
    this.#onJoin = onJoin;
  }

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const running = this.#flights.get(key);
    if (running) {
      this.#onJoin();
      return running as Promise<T>;
    }
    const flight = work().finally(() => this.#flights.delete(key));
    this.#flights.set(key, flight);
    return flight;
  }

  get size(): number {
    return this.#flights.size;
  }
}
