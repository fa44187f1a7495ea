/** The value at quantile q (0..1) of the samples, nearest rank; 0 for no samples. */
export function percentile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return 0;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** The median; for an even count the mean of the two middle values. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/**
 * One row's value (req/s unless told) divided by another's, round by round: a round that ran on
 * a slow machine (CPU steal, a noisy neighbour) slows both rows of its ratio, so it moves the
 * ratio far less than it moves a median of raw req/s. Rounds only one row has are left out.
 */
export function roundRatios<T extends { round: number; reqPerSec: number }>(
  rows: readonly T[],
  bases: readonly T[],
  value: (sample: T) => number = (sample) => sample.reqPerSec,
): number[] {
  const ratios: number[] = [];
  for (const sample of rows) {
    const base = bases.find((one) => one.round === sample.round);
    if (base !== undefined && value(base) > 0) ratios.push(value(sample) / value(base));
  }
  return ratios;
}

/** The median of `roundRatios`. */
export function medianRoundRatio<T extends { round: number; reqPerSec: number }>(
  rows: readonly T[],
  bases: readonly T[],
  value?: (sample: T) => number,
): number {
  return median(roundRatios(rows, bases, value));
}

/** A ratio over rounds: its median, its lowest and highest round, and the median's interval. */
export interface RatioSpread {
  median: number;
  low: number;
  high: number;
  /** Where the median lies, with this confidence (see `medianInterval`). */
  interval: MedianInterval;
}

export function ratioSpread(ratios: readonly number[]): RatioSpread | undefined {
  if (ratios.length === 0) return undefined;
  return {
    median: median(ratios),
    low: Math.min(...ratios),
    high: Math.max(...ratios),
    interval: medianInterval(ratios),
  };
}

export interface MedianInterval {
  low: number;
  high: number;
  /** The chance that the interval holds the true median (0..1). */
  confidence: number;
}

/**
 * A distribution-free confidence interval for the median of independent samples (the sign
 * test's): the k-th smallest and k-th largest sample, k as large as keeps the confidence at 95%
 * or more. It assumes nothing about the noise but that a sample falls on either side of the true
 * median with even chance. Up to 5 samples no k reaches 95%: the interval is the lowest and the
 * highest sample, with the confidence they give (3 samples: 75%, 5: 94%).
 */
export function medianInterval(samples: readonly number[]): MedianInterval {
  const sorted = [...samples].sort((a, b) => a - b);
  const n = sorted.length;
  let k = 1;
  while (k + 1 <= n / 2 && intervalConfidence(n, k + 1) >= 0.95) k++;
  return {
    low: sorted[k - 1] ?? Number.NaN,
    high: sorted[n - k] ?? Number.NaN,
    confidence: intervalConfidence(n, k),
  };
}

/** The confidence of [k-th smallest, k-th largest] of n samples: 1 - 2 P(Binomial(n, 1/2) < k). */
function intervalConfidence(n: number, k: number): number {
  if (n === 0) return 0;
  let below = 0;
  let choose = 1;
  for (let i = 0; i < k; i++) {
    below += choose;
    choose = (choose * (n - i)) / (i + 1);
  }
  return Math.max(0, 1 - (2 * below) / 2 ** n);
}
