/**
 * Response times at 10 µs resolution. autocannon's own histogram rounds to whole milliseconds,
 * which says nothing on loopback where most responses take well under one; this one records the
 * exact times autocannon measures (its `response` event) in fixed buckets: O(1) per response and
 * no allocation under load. Times past the last bucket are kept as they are.
 */
export class LatencyHistogram {
  static readonly resolutionMs = 0.01;
  private readonly buckets = new Uint32Array(100_000); // up to 1 s
  private readonly overflow: number[] = [];
  private count = 0;

  record(ms: number): void {
    const bucket = Math.floor(ms / LatencyHistogram.resolutionMs);
    if (bucket < this.buckets.length) this.buckets[bucket] = (this.buckets[bucket] ?? 0) + 1;
    else this.overflow.push(ms);
    this.count++;
  }

  /** The upper edge of the bucket holding quantile q (0..1), in ms; 0 when empty. */
  percentile(q: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil(q * this.count));
    let seen = 0;
    for (let bucket = 0; bucket < this.buckets.length; bucket++) {
      seen += this.buckets[bucket] ?? 0;
      if (seen >= rank) return (bucket + 1) * LatencyHistogram.resolutionMs;
    }
    const sorted = [...this.overflow].sort((a, b) => a - b);
    return sorted[rank - seen - 1] ?? sorted[sorted.length - 1] ?? 0;
  }
}
