import type { Address } from '@rediware/testing';
import type { BenchSettings } from '../options';
import type { Configuration, Scenario, Table } from '../scenarios/scenario-types';
import { type LoadSample, load } from './load';
import type { ProxyProcess } from './proxy-process';
import { measuredRows, prepare, rowRequest, type TableResult } from './run-scenario';
import { type SequentialTarget, sequentialLatencies } from './sequential-latency';
import { type ServerProcess, startServer } from './server-process';
import { median, percentile } from './statistics';

/** Requests sent one at a time, in turn with the bare framework's: p50 and p99 in ms of each. */
export interface SequentialSample {
  p50: number;
  p99: number;
  bareP50: number;
  bareP99: number;
  requests: number;
}

/** One row measured once at one RTT: under load beside its bare framework, then one request at a time. */
export interface RttSample {
  round: number;
  rttMs: number;
  underLoad: LoadSample;
  /** The bare framework under the same load just before (the row's own, for the bare row). */
  bareUnderLoad: LoadSample;
  sequential: SequentialSample;
}

/** Latency in ms: the row's own, or, beside it, what the row adds over the bare framework. */
export interface RttLatency {
  p50: number;
  p99: number;
  /**
   * The row's p50 (p99) minus the bare framework's, the median over the rounds: sequential, of
   * requests sent in turn with the bare framework's; under load, of the bare run just before.
   */
  addedP50: number;
  addedP99: number;
}

/** A row at one RTT: medians over the rounds. */
export interface RttCell {
  rttMs: number;
  sequential: RttLatency;
  underLoad: RttLatency & { reqPerSec: number; vsBare: number };
}

export interface RttRowResult {
  configuration: Configuration;
  /** Commands sent per request (MONITOR) in the same scenario's tables on loopback, when measured. */
  sentPerRequest: number | undefined;
  cells: RttCell[];
  samples: RttSample[];
}

export interface RttTableResult {
  table: Table;
  rtts: number[];
  rows: RttRowResult[];
}

interface RttRun {
  table: Table;
  configuration: Configuration;
  /** The RTT the run is measured at; the bare framework sends nothing to Redis and runs once a round. */
  rttMs: number;
  samples: RttSample[];
}

const startedAt = Date.now();
const log = (text: string): void =>
  void process.stderr.write(`[rtt ${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${text}\n`);

/** The RTTs a run measures: RTT 0 (the proxy's own cost) and every one asked for, ascending. */
export function rttsToMeasure(asked: readonly number[]): number[] {
  return [...new Set([0, ...asked])].sort((a, b) => a - b);
}

async function measure(
  redis: Address,
  proxy: ProxyProcess,
  server: ServerProcess,
  bare: { server: ServerProcess; configuration: Configuration } | undefined,
  run: RttRun,
  round: number,
  settings: BenchSettings,
): Promise<RttSample> {
  await proxy.setRtt(run.rttMs);
  const own = await prepare(redis, server, run.configuration);
  await load({ ...own, connections: settings.connections, duration: settings.warmup });
  const bareTarget = bare && rowRequest(bare.server.url, bare.configuration);
  // The bare framework under the same load seconds before, so both see the machine alike.
  const loaded = (target: SequentialTarget) =>
    load({ ...target, connections: settings.connections, duration: settings.duration });
  const bareUnderLoad = bareTarget ? await loaded(bareTarget) : undefined;
  const underLoad = await loaded(own);
  const [times = [], bareTimes = times] = await sequentialLatencies(
    bareTarget ? [own, bareTarget] : [own],
    settings.duration,
  );
  const sequential = {
    p50: percentile(times, 0.5),
    p99: percentile(times, 0.99),
    bareP50: percentile(bareTimes, 0.5),
    bareP99: percentile(bareTimes, 0.99),
    requests: times.length,
  };
  return { round, rttMs: run.rttMs, underLoad, bareUnderLoad: bareUnderLoad ?? underLoad, sequential };
}

function summarize(table: Table, runs: RttRun[], rtts: number[], measured: TableResult[]): RttTableResult {
  const loopback = measured.find((result) => result.table.id === table.id);
  const rows = [...new Set(runs.map((run) => run.configuration))].map((configuration): RttRowResult => {
    const own = runs.filter((run) => run.configuration === configuration).flatMap((run) => run.samples);
    const cells = rtts.map((rttMs): RttCell => {
      const at = configuration.role === 'bare' ? own : own.filter((sample) => sample.rttMs === rttMs);
      const sequential: RttLatency = {
        p50: median(at.map((sample) => sample.sequential.p50)),
        p99: median(at.map((sample) => sample.sequential.p99)),
        addedP50: median(at.map(({ sequential: s }) => s.p50 - s.bareP50)),
        addedP99: median(at.map(({ sequential: s }) => s.p99 - s.bareP99)),
      };
      return {
        rttMs,
        sequential,
        underLoad: {
          p50: median(at.map((sample) => sample.underLoad.p50)),
          p99: median(at.map((sample) => sample.underLoad.p99)),
          addedP50: median(at.map((sample) => sample.underLoad.p50 - sample.bareUnderLoad.p50)),
          addedP99: median(at.map((sample) => sample.underLoad.p99 - sample.bareUnderLoad.p99)),
          reqPerSec: median(at.map((sample) => sample.underLoad.reqPerSec)),
          vsBare: median(
            at.map((sample) => sample.underLoad.reqPerSec / Math.max(1, sample.bareUnderLoad.reqPerSec)),
          ),
        },
      };
    });
    const sentPerRequest = loopback?.rows.find((row) => row.configuration.key === configuration.key)?.probe
      ?.sentPerRequest;
    return { configuration, sentPerRequest, cells, samples: own };
  });
  return { table, rtts, rows };
}

/**
 * The scenario's main tables again with Redis a hop away: servers of their own connected through
 * the delay proxy, each row measured at every RTT (the bare framework once a round: it sends
 * nothing to Redis), in an order rotated each round: under load just after the bare framework
 * under the same load, then one request at a time in turn with the bare framework's. `measured`
 * holds the loopback tables of the same run, for their commands sent per request.
 */
export async function runRttScenario(
  scenario: Scenario,
  redis: Address,
  proxy: ProxyProcess,
  settings: BenchSettings,
  measured: TableResult[],
): Promise<RttTableResult[]> {
  const rtts = rttsToMeasure(settings.rtt);
  const tables = scenario.tables.filter((table) => !table.detail);
  const runs: RttRun[] = tables.flatMap((table) =>
    measuredRows(table, settings).flatMap((configuration) =>
      (configuration.role === 'bare' ? [0] : rtts).map((rttMs) => ({
        table,
        configuration,
        rttMs,
        samples: [],
      })),
    ),
  );
  const serverIds = [...new Set(runs.map((run) => run.configuration.server))];
  log(`${scenario.name}: starting ${serverIds.length} servers on Redis through the delay proxy`);
  const started = await Promise.allSettled(
    serverIds.map(async (id) => [id, await startServer(id, proxy.url)] as const),
  );
  const servers = new Map<string, ServerProcess>();
  for (const result of started) if (result.status === 'fulfilled') servers.set(...result.value);
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    for (let round = 0; round < settings.rounds; round++) {
      const shift = runs.length === 0 ? 0 : round % runs.length;
      for (const run of [...runs.slice(shift), ...runs.slice(0, shift)]) {
        const serverOf = (configuration: Configuration): ServerProcess => {
          const server = servers.get(configuration.server);
          if (!server) throw new Error(`no server ${configuration.server}`);
          return server;
        };
        const bare = runs.find(
          (one) =>
            one.table === run.table &&
            one.configuration.role === 'bare' &&
            one.configuration.framework === run.configuration.framework,
        )?.configuration;
        const pairedWith =
          bare && bare !== run.configuration ? { server: serverOf(bare), configuration: bare } : undefined;
        const sample = await measure(
          redis,
          proxy,
          serverOf(run.configuration),
          pairedWith,
          run,
          round,
          settings,
        );
        run.samples.push(sample);
        log(
          `  round ${round + 1}/${settings.rounds} ${run.table.id} ${run.configuration.key} at RTT ${run.rttMs} ms: ` +
            `sequential p50 ${sample.sequential.p50.toFixed(2)} ms; under load ${Math.round(sample.underLoad.reqPerSec)} req/s, p50 ${sample.underLoad.p50.toFixed(2)} ms`,
        );
      }
    }
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  return tables.flatMap((table) => {
    const own = runs.filter((run) => run.table === table);
    return own.length === 0 ? [] : [summarize(table, own, rtts, measured)];
  });
}
