import { setTimeout as sleep } from 'node:timers/promises';
import { type Address, commandCalls, type MonitorCounts, monitor, redisCommand } from '@rediware/testing';
import type { BenchSettings } from '../options';
import { type Configuration, isMainRow, type Scenario, type Table } from '../scenarios/scenario-types';
import { blockedLimit } from '../servers/routes';
import { commandDelta, totalCalls } from './command-stats';
import { cpuTimes, stealShare } from './cpu-steal';
import { type LoadSample, load } from './load';
import { redisCpuMicros } from './redis-cpu';
import type { SequentialTarget } from './sequential-latency';
import { type ServerProcess, startServer } from './server-process';
import { loginCookie } from './session-cookie';
import { median, type RatioSpread, ratioSpread, roundRatios } from './statistics';

export interface RunSample extends LoadSample {
  round: number;
  /** Redis commands per completed request, from INFO commandstats (scripts' commands included). */
  commandsPerRequest: number;
  /** Per command name, calls per request. */
  commandsByName: Record<string, number>;
  /** Share of the machine's CPU time stolen by the hypervisor during the load; undefined off Linux. */
  steal: number | undefined;
  /** The server process's CPU µs per completed request (user + system). */
  serverCpuPerRequest: number;
  /** The redis-server's CPU µs per completed request (INFO cpu). */
  redisCpuPerRequest: number;
}

export interface ProbeResult {
  requests: number;
  /** Commands the server sent to Redis per request: its round trips when it does not pipeline. */
  sentPerRequest: number;
  inScriptsPerRequest: number;
  sentByName: Record<string, number>;
}

export interface RowResult {
  configuration: Configuration;
  samples: RunSample[];
  reqPerSec: number;
  p50: number;
  p99: number;
  commandsPerRequest: number;
  /** Medians of the samples' CPU µs per request. */
  serverCpuPerRequest: number;
  redisCpuPerRequest: number;
  /** Median steal share of the samples, undefined off Linux. */
  steal: number | undefined;
  non2xxShare: number;
  errors: number;
  probe: ProbeResult | undefined;
  /** Req/s over the same framework's bare configuration in this table, round by round: median, lowest, highest. */
  vsBare: RatioSpread | undefined;
  /** Req/s over the same framework's anchor in this table, round by round: median, lowest, highest. */
  vsAnchor: RatioSpread | undefined;
  /**
   * The anchor's server + Redis CPU per request over this row's, round by round (median, lowest, highest): above 1,
   * this row costs the machine less per request. CPU time is not charged for time the hypervisor
   * stole, so steal does not lower this ratio.
   */
  cpuVsAnchor: RatioSpread | undefined;
}

export interface TableResult {
  table: Table;
  rows: RowResult[];
}

interface Run {
  table: Table;
  configuration: Configuration;
  samples: RunSample[];
  probe?: ProbeResult;
}

const startedAt = Date.now();
const log = (text: string): void =>
  void process.stderr.write(`[${((Date.now() - startedAt) / 1000).toFixed(1)} s] ${text}\n`);

/** What a row sends: to its path, with its headers, and its body when it POSTs. */
export function rowRequest(url: string, configuration: Configuration, cookie?: string): SequentialTarget {
  const { requestHeaders, postBody } = configuration;
  const headers = {
    ...requestHeaders,
    ...(cookie ? { cookie } : {}),
    ...(postBody === undefined ? {} : { 'content-type': 'application/json' }),
  };
  return {
    url: `${url}${configuration.path}`,
    headers,
    ...(postBody === undefined ? {} : { body: postBody }),
  };
}

/** Each run starts from an empty Redis, then (for sessions) logs in: what its requests send. */
export async function prepare(
  redis: Address,
  server: ServerProcess,
  configuration: Configuration,
): Promise<SequentialTarget> {
  await redisCommand(redis, ['FLUSHALL']);
  const cookie = configuration.session ? await loginCookie(server.url) : undefined;
  return rowRequest(server.url, configuration, cookie);
}

async function measure(
  redis: Address,
  server: ServerProcess,
  run: Run,
  round: number,
  settings: BenchSettings,
): Promise<RunSample> {
  const target = await prepare(redis, server, run.configuration);
  await load({ ...target, connections: settings.connections, duration: settings.warmup });
  const before = await commandCalls([redis]);
  const [serverCpuBefore, redisCpuBefore] = [await server.cpuMicros(), await redisCpuMicros(redis)];
  const cpuBefore = cpuTimes();
  const sample = await load({ ...target, connections: settings.connections, duration: settings.duration });
  const steal = stealShare(cpuBefore, cpuTimes());
  const [serverCpu, redisCpu] = [await server.cpuMicros(), await redisCpuMicros(redis)];
  const delta = commandDelta(before, await commandCalls([redis]));
  const perRequest = (calls: number) => (sample.requests === 0 ? 0 : calls / sample.requests);
  const commandsByName: Record<string, number> = {};
  for (const [name, calls] of delta) commandsByName[name] = perRequest(calls);
  if (sample.errors > 0) log(`  ${run.configuration.key}: ${sample.errors} connection errors/timeouts`);
  return {
    ...sample,
    round,
    commandsPerRequest: perRequest(totalCalls(delta)),
    commandsByName,
    steal,
    serverCpuPerRequest: perRequest(serverCpu - serverCpuBefore),
    redisCpuPerRequest: perRequest(redisCpu - redisCpuBefore),
  };
}

/** Sequential requests with MONITOR on: how many commands each request sends to Redis. */
async function probe(
  redis: Address,
  server: ServerProcess,
  run: Run,
  requests: number,
): Promise<ProbeResult> {
  const { url, headers, body } = await prepare(redis, server, run.configuration);
  const method = body === undefined ? 'GET' : 'POST';
  const get = async (): Promise<void> =>
    void (await (
      await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) })
    ).arrayBuffer());
  // Past the blocked limit and past every first-request path (script loading, block cache).
  for (let i = 0; i < blockedLimit + 5; i++) await get();
  // Work a response leaves behind (a lock release after finish) belongs to the warm-up requests.
  await sleep(100);
  const counts: MonitorCounts = await monitor(
    redis,
    async () => {
      for (let i = 0; i < requests; i++) await get();
    },
    100,
  );
  const sentByName: Record<string, number> = {};
  for (const [name, sent] of Object.entries(counts.sentByName)) sentByName[name] = sent / requests;
  return {
    requests,
    sentPerRequest: counts.sent / requests,
    inScriptsPerRequest: counts.inScripts / requests,
    sentByName,
  };
}

const machineCpu = (sample: RunSample): number => sample.serverCpuPerRequest + sample.redisCpuPerRequest;

function summarize(table: Table, runs: Run[]): TableResult {
  const rows = runs.map((run): RowResult => {
    const { samples } = run;
    const requests = samples.reduce((sum, sample) => sum + sample.requests, 0);
    return {
      configuration: run.configuration,
      samples,
      reqPerSec: median(samples.map((sample) => sample.reqPerSec)),
      p50: median(samples.map((sample) => sample.p50)),
      p99: median(samples.map((sample) => sample.p99)),
      commandsPerRequest: median(samples.map((sample) => sample.commandsPerRequest)),
      serverCpuPerRequest: median(samples.map((sample) => sample.serverCpuPerRequest)),
      redisCpuPerRequest: median(samples.map((sample) => sample.redisCpuPerRequest)),
      steal: samples.some((sample) => sample.steal === undefined)
        ? undefined
        : median(samples.map((sample) => sample.steal as number)),
      non2xxShare: requests === 0 ? 0 : samples.reduce((sum, sample) => sum + sample.non2xx, 0) / requests,
      errors: samples.reduce((sum, sample) => sum + sample.errors, 0),
      probe: run.probe,
      vsBare: undefined,
      vsAnchor: undefined,
      cpuVsAnchor: undefined,
    };
  });
  const find = (framework: string, role: string) =>
    rows.find((row) => row.configuration.framework === framework && row.configuration.role === role);
  for (const row of rows) {
    const { framework } = row.configuration;
    const bareRow = find(framework, 'bare');
    const anchorRow = find(framework, 'anchor');
    row.vsBare = bareRow ? ratioSpread(roundRatios(row.samples, bareRow.samples)) : undefined;
    if (!anchorRow) continue;
    row.vsAnchor = ratioSpread(roundRatios(row.samples, anchorRow.samples));
    row.cpuVsAnchor = ratioSpread(roundRatios(anchorRow.samples, row.samples, machineCpu));
  }
  return { table, rows };
}

/**
 * The rows of a table that this run measures: every row, or one framework's; with `--quick`, a
 * first look: the table's bare framework, anchor and main row of ours, and no detail table.
 */
export function measuredRows(
  table: Table,
  settings: Pick<BenchSettings, 'framework' | 'preset'>,
): Configuration[] {
  const quick = settings.preset === 'quick';
  if (quick && table.detail) return [];
  return table.configurations
    .filter(({ framework }) => settings.framework === undefined || framework === settings.framework)
    .filter((row) => !quick || isMainRow(row));
}

/** The rows of one server id and listening address share its process. */
function processKey({ server, host }: Configuration): string {
  return host === undefined ? server : `${server}@${host}`;
}

/**
 * Starts one child process per server of the scenario, then runs every configuration once per
 * round, in an order rotated each round (A B C, B C A, ...), so slow drift of the machine spreads
 * over all of them; then counts each configuration's commands with MONITOR; then stops the servers.
 */
export async function runScenario(
  scenario: Scenario,
  redis: Address,
  redisUrl: string,
  settings: BenchSettings,
): Promise<TableResult[]> {
  const runs: Run[] = scenario.tables.flatMap((table) =>
    measuredRows(table, settings).map((configuration) => ({ table, configuration, samples: [] })),
  );
  const processes = new Map(runs.map(({ configuration: c }) => [processKey(c), c]));
  log(`${scenario.name}: starting ${processes.size} servers`);
  const started = await Promise.allSettled(
    [...processes].map(async ([key, c]) => [key, await startServer(c.server, redisUrl, c.host)] as const),
  );
  const servers = new Map<string, ServerProcess>();
  for (const result of started) if (result.status === 'fulfilled') servers.set(...result.value);
  try {
    const failed = started.find((result) => result.status === 'rejected');
    if (failed) throw failed.reason;
    const serverOf = (run: Run): ServerProcess => {
      const server = servers.get(processKey(run.configuration));
      if (!server) throw new Error(`no server ${processKey(run.configuration)}`);
      return server;
    };
    for (let round = 0; round < settings.rounds; round++) {
      const shift = runs.length === 0 ? 0 : round % runs.length;
      const order = [...runs.slice(shift), ...runs.slice(0, shift)];
      for (const run of order) {
        const sample = await measure(redis, serverOf(run), run, round, settings);
        run.samples.push(sample);
        log(
          `  round ${round + 1}/${settings.rounds} ${run.table.id} ${run.configuration.key}: ` +
            `${Math.round(sample.reqPerSec)} req/s, p99 ${sample.p99.toFixed(2)} ms, ${sample.commandsPerRequest.toFixed(2)} cmds/req, ` +
            `CPU µs/req ${sample.serverCpuPerRequest.toFixed(1)} + Redis ${sample.redisCpuPerRequest.toFixed(1)}` +
            (sample.steal === undefined ? '' : `, CPU steal ${(sample.steal * 100).toFixed(0)}%`),
        );
      }
    }
    log(`${scenario.name}: counting commands per request with MONITOR`);
    for (const run of runs) run.probe = await probe(redis, serverOf(run), run, settings.probeRequests);
  } finally {
    await Promise.all([...servers.values()].map((server) => server.stop()));
  }
  // A table --quick left out has no runs, and no place in the report.
  return scenario.tables.flatMap((table) => {
    const measured = runs.filter((run) => run.table === table);
    return measured.length === 0 ? [] : [summarize(table, measured)];
  });
}
