import type { Address } from '@rediware/testing';
import { pingRoundTrips } from './ping-latency';
import type { ProxyProcess } from './proxy-process';
import { percentile } from './statistics';

/** PING round trips, one at a time, straight to Redis or through the proxy at one RTT. */
export interface CalibrationRow {
  /** undefined: straight to Redis on loopback. */
  rttMs: number | undefined;
  pings: number;
  min: number;
  p50: number;
  p99: number;
}

/**
 * What the proxy adds to a round trip: `pings` sequential PINGs straight to Redis, then through the
 * proxy at each RTT. At RTT 0 the difference is the proxy's own cost (two more loopback hops and a
 * turn of its flush loop); above it, how closely the hold matches the RTT asked for.
 */
export async function calibrateProxy(
  redis: Address,
  proxy: ProxyProcess,
  rtts: readonly number[],
  pings: number,
): Promise<CalibrationRow[]> {
  const row = (rttMs: number | undefined, times: number[]): CalibrationRow => ({
    rttMs,
    pings,
    min: Math.min(...times),
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
  });
  const rows = [row(undefined, await pingRoundTrips(redis, pings))];
  for (const rttMs of rtts) {
    await proxy.setRtt(rttMs);
    rows.push(row(rttMs, await pingRoundTrips(proxy, pings)));
  }
  return rows;
}
