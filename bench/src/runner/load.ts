import autocannon from 'autocannon';
import { LatencyHistogram } from './latency-histogram';

export interface LoadOptions {
  url: string;
  connections: number;
  /** Seconds (fractions allowed). */
  duration: number;
  headers?: Record<string, string>;
  /** POSTed with every request (a GET without it). */
  body?: string;
}

export interface LoadSample {
  /** Completed responses per second over the run. */
  reqPerSec: number;
  /** Latency percentiles in ms (10 µs resolution), over every response, 2xx or not. */
  p50: number;
  p99: number;
  requests: number;
  non2xx: number;
  /** Connection errors and timeouts. */
  errors: number;
  durationSec: number;
}

/** One autocannon run (the library, in this process). */
export function load(options: LoadOptions): Promise<LoadSample> {
  const latencies = new LatencyHistogram();
  return new Promise((resolve, reject) => {
    const instance = autocannon(
      {
        url: options.url,
        connections: options.connections,
        duration: options.duration,
        headers: options.headers ?? {},
        ...(options.body === undefined ? {} : { method: 'POST' as const, body: options.body }),
        timeout: 10,
        // autocannon ends a run on its next sample tick; 100 ms ticks keep short runs short.
        sampleInt: 100,
      },
      (error, result) => {
        if (error) return reject(error);
        const requests = result['1xx'] + result['2xx'] + result['3xx'] + result['4xx'] + result['5xx'];
        resolve({
          reqPerSec: requests / result.duration,
          p50: latencies.percentile(0.5),
          p99: latencies.percentile(0.99),
          requests,
          non2xx: result.non2xx,
          errors: result.errors,
          durationSec: result.duration,
        });
      },
    );
    instance.on('response', (_client, _statusCode, _bytes, responseTime) => latencies.record(responseTime));
  });
}
