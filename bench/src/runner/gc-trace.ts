/** What V8's `--trace-gc-nvp` lines said about one process's garbage collections. */
export interface GcSummary {
  scavenges: number;
  /** Full collections (mark-compact, memory-reducing ones included). */
  fullCollections: number;
  /** Means per scavenge. */
  scavengePauseMs: number;
  /** Bytes of the young generation still alive at a scavenge. */
  survivedBytes: number;
  /** Bytes a scavenge moved to the old generation. */
  promotedBytes: number;
}

function field(line: string, name: string): number | undefined {
  const value = new RegExp(`(?:^|\\s)${name}=([\\d.]+)`).exec(line)?.[1];
  return value === undefined ? undefined : Number(value);
}

/**
 * Reads the `--trace-gc-nvp` lines of a load. A young generation that keeps much alive at each
 * scavenge and promotes it (megabytes where the bare framework keeps hundreds of kilobytes) means
 * something long-lived holds each request's objects: see bench/README.md, session 10.
 */
export function summarizeGcTrace(lines: readonly string[]): GcSummary {
  let scavenges = 0;
  let fullCollections = 0;
  let pause = 0;
  let survived = 0;
  let promoted = 0;
  for (const line of lines) {
    const kind = /\sgc=(\w+)/.exec(line)?.[1];
    if (kind === 's') {
      scavenges++;
      pause += field(line, 'pause') ?? 0;
      survived += field(line, 'new_space_survived') ?? 0;
      promoted += field(line, 'promoted') ?? 0;
    } else if (kind === 'mc' || kind === 'mmc') {
      fullCollections++;
    }
  }
  const mean = (sum: number) => (scavenges === 0 ? 0 : sum / scavenges);
  return {
    scavenges,
    fullCollections,
    scavengePauseMs: mean(pause),
    survivedBytes: mean(survived),
    promotedBytes: mean(promoted),
  };
}
