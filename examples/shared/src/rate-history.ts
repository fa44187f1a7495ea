export interface RateHistoryOptions {
  /** How many samples each series keeps (the chart's width in samples). @default 180 */
  samples?: number;
  /** Time between two samples. @default 1000 */
  intervalMs?: number;
  /** The clock; a test passes its own. @default Date.now */
  now?: () => number;
}

/** Per-second rates of each counter, oldest sample first, every series `samples` long. */
export interface RateSnapshot {
  intervalMs: number;
  rates: Record<string, number[]>;
}

/**
 * A ring of per-second rates of monotonic counters, sampled on the server every `intervalMs`.
 *
 * Sampled here rather than in the page from successive totals: the history is there when the page
 * opens (or reloads) right after something happened, every viewer sees the same rates, and a
 * background tab, whose timers the browser slows down to once a minute, does not smear them.
 */
export class RateHistory {
  readonly #read: () => Record<string, number>;
  readonly #size: number;
  readonly #intervalMs: number;
  readonly #now: () => number;
  readonly #rings = new Map<string, Float64Array>();
  readonly #timer: NodeJS.Timeout;
  #next = 0;
  #last: Record<string, number> = {};
  #lastAt: number;

  /**
   * `read` returns every counter's total, all 0 now (it is first called one interval from now, so
   * it may read plugins registered after this constructor ran).
   */
  constructor(read: () => Record<string, number>, options: RateHistoryOptions = {}) {
    this.#read = read;
    this.#size = options.samples ?? 180;
    this.#intervalMs = options.intervalMs ?? 1000;
    this.#now = options.now ?? Date.now;
    this.#lastAt = this.#now();
    this.#timer = setInterval(() => this.#sampleOrSkip(), this.#intervalMs);
    this.#timer.unref();
  }

  #sampleOrSkip(): void {
    try {
      this.sample();
    } catch (error) {
      // A timer's exception would end the process; the next sample covers this interval too.
      console.error('rate history: a sample failed, skipped:', error);
    }
  }

  /** Records the rate of each counter since the previous sample (a counter that went down: 0). */
  sample(): void {
    const at = this.#now();
    const totals = this.#read();
    const seconds = (at - this.#lastAt) / 1000;
    for (const [name, total] of Object.entries(totals)) {
      let ring = this.#rings.get(name);
      if (!ring) {
        ring = new Float64Array(this.#size);
        this.#rings.set(name, ring);
      }
      const delta = total - (this.#last[name] ?? 0);
      ring[this.#next] = seconds > 0 && delta > 0 ? delta / seconds : 0;
    }
    this.#next = (this.#next + 1) % this.#size;
    this.#last = totals;
    this.#lastAt = at;
  }

  /** Every series, oldest first; before the first samples, zeros (nothing was counted yet). */
  snapshot(): RateSnapshot {
    const rates: Record<string, number[]> = {};
    for (const name of Object.keys(this.#last)) {
      const ring = this.#rings.get(name) ?? new Float64Array(this.#size);
      const ordered = [...ring.subarray(this.#next), ...ring.subarray(0, this.#next)];
      rates[name] = ordered.map((rate) => Math.round(rate * 100) / 100);
    }
    return { intervalMs: this.#intervalMs, rates };
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
