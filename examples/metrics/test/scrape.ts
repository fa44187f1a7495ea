import type { Registry } from 'prom-client';

/** The registry's exposition text as `name{labels}` → value, the way Prometheus scrapes it. */
export async function scrape(registry: Registry): Promise<Map<string, number>> {
  const samples = new Map<string, number>();
  for (const line of (await registry.metrics()).split('\n')) {
    const match = /^([a-z_:]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (match) samples.set(match[1] as string, Number(match[2]));
  }
  return samples;
}

/** Each series name of the registry's exposition text (histograms as `_bucket`, `_sum`, `_count`) → its label names. */
export async function scrapeLabelNames(registry: Registry): Promise<Map<string, Set<string>>> {
  const series = new Map<string, Set<string>>();
  for (const line of (await registry.metrics()).split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{([^}]*)\})? \S+$/.exec(line);
    if (!match) continue;
    const name = match[1] as string;
    const labels = series.get(name) ?? new Set<string>();
    for (const pair of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="/g))
      labels.add(pair[1] as string);
    series.set(name, labels);
  }
  return series;
}
