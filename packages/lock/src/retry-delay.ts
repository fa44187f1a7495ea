/**
 * How long a waiter sleeps when no release message comes: until the holder's slot should free
 * (it may expire without a release), at most `intervalMs`, plus up to 10% jitter (at least 5 ms)
 * so waiters of many processes do not retry in lockstep.
 */
export function retryDelay(holderLeftMs: number, intervalMs: number): number {
  const base = Math.max(1, Math.min(holderLeftMs, intervalMs));
  return base + Math.floor(Math.random() * Math.max(5, base * 0.1));
}
