import { performance } from 'node:perf_hooks';
import { type Address, commandCalls, monitor } from '@rediware/testing';
import { commandDelta, totalCalls } from '../runner/command-stats';
import { median, medianRoundRatio, percentile } from '../runner/statistics';

/** One row of an engine table: an operation run one at a time, with nothing else in the process. */
export interface EngineContender {
  /** Rows with the same group are compared; "× anchor" divides by the group's anchor. */
  group: string;
  name: string;
  role: 'ours' | 'anchor' | 'other';
  note: string;
  /** Builds the clients and fills what the operation reads; returns the operation and a cleanup. */
  setup(redis: Address): Promise<{ op: () => Promise<unknown>; close(): Promise<void> }>;
}

export interface EngineRow {
  group: string;
  name: string;
  role: EngineContender['role'];
  note: string;
  /** Median over the rounds. */
  opsPerSec: number;
  vsAnchor: number;
  /** Per-operation latency over every round, in µs. */
  p50Us: number;
  p99Us: number;
  /** INFO commandstats delta ÷ operations (commands inside scripts count). */
  commandsPerOp: number;
  /** Commands sent per operation, counted with MONITOR over sequential operations. */
  sentPerOp: number;
}

export interface EngineTable {
  title: string;
  description: string;
  rows: EngineRow[];
}

export interface EngineSettings {
  /** Seconds each contender runs per round. */
  duration: number;
  rounds: number;
  probeRequests: number;
}

interface Sample {
  opsPerSec: number;
  latenciesUs: number[];
  commands: number;
}

async function runFor(op: () => Promise<unknown>, seconds: number, redis: Address): Promise<Sample> {
  const before = await commandCalls([redis]);
  const latenciesUs: number[] = [];
  const started = performance.now();
  const end = started + seconds * 1000;
  for (let now = started; now < end; ) {
    await op();
    const done = performance.now();
    latenciesUs.push((done - now) * 1000);
    now = done;
  }
  const elapsed = (performance.now() - started) / 1000;
  const commands = totalCalls(commandDelta(before, await commandCalls([redis])));
  return { opsPerSec: latenciesUs.length / elapsed, latenciesUs, commands: commands / latenciesUs.length };
}

/**
 * Every contender set up at once, then `rounds` interleaved rounds (the order rotated by one each
 * round), each contender running its operation back to back for `duration` seconds; then a MONITOR
 * probe of `probeRequests` operations per contender.
 */
export async function measureEngine(
  contenders: readonly EngineContender[],
  redis: Address,
  settings: EngineSettings,
): Promise<EngineRow[]> {
  const prepared = [];
  for (const contender of contenders) prepared.push(await contender.setup(redis));
  try {
    const samples = contenders.map((): Sample[] => []);
    for (let round = 0; round < settings.rounds; round++) {
      for (let i = 0; i < contenders.length; i++) {
        const index = (i + round) % contenders.length;
        const { op } = prepared[index] as (typeof prepared)[number];
        samples[index]?.push(await runFor(op, settings.duration, redis));
      }
    }
    const sent: number[] = [];
    for (const { op } of prepared) {
      const counts = await monitor(redis, async () => {
        for (let i = 0; i < settings.probeRequests; i++) await op();
      });
      sent.push(counts.sent / settings.probeRequests);
    }
    const rows = contenders.map((contender, i): EngineRow => {
      const own = samples[i] ?? [];
      const latencies = own.flatMap((sample) => sample.latenciesUs);
      return {
        group: contender.group,
        name: contender.name,
        role: contender.role,
        note: contender.note,
        opsPerSec: median(own.map((sample) => sample.opsPerSec)),
        vsAnchor: Number.NaN,
        p50Us: percentile(latencies, 0.5),
        p99Us: percentile(latencies, 0.99),
        commandsPerOp: median(own.map((sample) => sample.commands)),
        sentPerOp: sent[i] ?? Number.NaN,
      };
    });
    // Each contender's samples are in round order: sample r is round r.
    const rounds = (i: number) =>
      (samples[i] ?? []).map((sample, round) => ({ round, reqPerSec: sample.opsPerSec }));
    rows.forEach((row, i) => {
      const anchor = rows.findIndex((other) => other.group === row.group && other.role === 'anchor');
      if (anchor !== -1) row.vsAnchor = medianRoundRatio(rounds(i), rounds(anchor));
    });
    return rows;
  } finally {
    for (const { close } of prepared) await close();
  }
}
