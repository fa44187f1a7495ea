/** A line: the per-second rate of one counter, or the sum of several (`<group>.<name>` of `ShopStats.totals()`). */
export interface RateLine {
  label: string;
  series: string[];
}

/** A line in percent: `hits` over `total` in the last 10 seconds, blank where `total` is 0. */
export interface RatioLine {
  label: string;
  hits: string[];
  total: string[];
}

export type ChartSpec =
  | { id: string; title: string; kind: 'rate'; lines: RateLine[] }
  | { id: string; title: string; kind: 'ratio'; lines: RatioLine[] };

const rateLimit = (group: string): ChartSpec[] => [
  {
    id: `${group}-rates`,
    title: 'requests per second',
    kind: 'rate',
    lines: [
      { label: 'admitted', series: [`${group}.admitted`] },
      { label: 'rejected (429)', series: [`${group}.rejected`] },
    ],
  },
];

/**
 * What the status page charts for each plugin, over the last 3 minutes; the keys are the page's
 * groups. `redisFailures` gathers every plugin's Redis failures in one chart.
 */
export const statusCharts: Record<string, ChartSpec[]> = {
  apiLimit: rateLimit('apiLimit'),
  loginLimit: rateLimit('loginLimit'),
  responseCache: [
    {
      id: 'responseCache-ratio',
      title: 'hit ratio (last 10 s)',
      kind: 'ratio',
      lines: [
        {
          label: 'hits',
          hits: ['responseCache.hits', 'responseCache.stale'],
          total: ['responseCache.hits', 'responseCache.stale', 'responseCache.misses'],
        },
      ],
    },
    {
      id: 'responseCache-rates',
      title: 'responses per second',
      kind: 'rate',
      lines: [
        { label: 'hit', series: ['responseCache.hits'] },
        { label: 'miss', series: ['responseCache.misses'] },
        { label: 'stale', series: ['responseCache.stale'] },
      ],
    },
  ],
  dataCache: [
    {
      id: 'dataCache-ratio',
      title: 'hit ratio (last 10 s)',
      kind: 'ratio',
      lines: [
        {
          label: 'hits',
          hits: ['dataCache.hits', 'dataCache.stale'],
          total: ['dataCache.hits', 'dataCache.stale', 'dataCache.misses'],
        },
      ],
    },
    {
      id: 'dataCache-rates',
      title: 'reads per second',
      kind: 'rate',
      lines: [
        { label: 'hit', series: ['dataCache.hits'] },
        { label: 'miss', series: ['dataCache.misses'] },
        { label: 'waited for a loader', series: ['dataCache.coalescedWaits'] },
      ],
    },
  ],
  lock: [
    {
      id: 'lock-rates',
      title: 'per second',
      kind: 'rate',
      lines: [
        { label: 'acquired', series: ['lock.acquired'] },
        { label: 'waited', series: ['lock.waited'] },
        { label: 'timed out or busy (409)', series: ['lock.timeouts', 'lock.busy'] },
        { label: 'lost', series: ['lock.lost'] },
      ],
    },
  ],
  checkoutIdempotency: [
    {
      id: 'checkoutIdempotency-rates',
      title: 'checkouts with an Idempotency-Key per second',
      kind: 'rate',
      lines: [
        { label: 'ran (charged)', series: ['checkoutIdempotency.runs'] },
        { label: 'replayed', series: ['checkoutIdempotency.replays'] },
        {
          label: 'refused (409, 422)',
          series: ['checkoutIdempotency.busy', 'checkoutIdempotency.mismatches'],
        },
        { label: 'corrupt records', series: ['checkoutIdempotency.corrupt'] },
      ],
    },
  ],
  sessionStore: [
    {
      id: 'sessionStore-rates',
      title: 'per second',
      kind: 'rate',
      lines: [
        { label: 'reads', series: ['sessionStore.reads'] },
        { label: 'writes', series: ['sessionStore.writes'] },
        { label: 'corrupt records', series: ['sessionStore.corrupt'] },
      ],
    },
  ],
  redisFailures: [
    {
      id: 'redisFailures-rates',
      title: 'per second',
      kind: 'rate',
      lines: [
        { label: 'rate limits failed open', series: ['apiLimit.failedOpen', 'loginLimit.failedOpen'] },
        { label: 'response cache admission', series: ['responseCache.admissionErrors'] },
        { label: 'data cache (and loaders)', series: ['dataCache.errors'] },
        { label: 'session store', series: ['sessionStore.errors'] },
        { label: 'checkout lock (503)', series: ['lock.errors'] },
        { label: 'checkout idempotency (503)', series: ['checkoutIdempotency.errors'] },
      ],
    },
  ],
};
