import type { EngineTable } from '../engine/measure';
import type { HandoffResult } from '../handoff/handoff';
import type { BenchSettings } from '../options';
import type { CalibrationRow } from '../runner/proxy-calibration';
import { type RttTableResult, rttsToMeasure } from '../runner/run-rtt';
import type { RowResult, TableResult } from '../runner/run-scenario';
import type { RatioSpread } from '../runner/statistics';
import type { Machine } from './machine';
import { calibrationMarkdown, rttTableMarkdown } from './rtt-markdown';
import { checkTargets, type TargetCheck } from './targets';

export interface ScenarioOutput {
  name: string;
  tables: TableResult[];
  handoff: HandoffResult[];
  engine: EngineTable[];
  /** The main tables again with Redis behind the delay proxy (`--rtt`). */
  rtt: RttTableResult[];
}

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

/** The median, and the lowest and highest round below it when they differ. */
function spread(ratio: RatioSpread | undefined): string {
  if (ratio === undefined) return '–';
  const [low, high] = [fixed(ratio.low, 2), fixed(ratio.high, 2)];
  return low === high ? fixed(ratio.median, 2) : `${fixed(ratio.median, 2)} <sub>${low}-${high}</sub>`;
}

const percent = (share: number | undefined): string =>
  share === undefined ? '–' : `${(share * 100).toFixed(0)}%`;

function requestsPerSecond(value: number): string {
  return value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : String(Math.round(value));
}

function roleMark(row: RowResult): string {
  const { role } = row.configuration;
  if (role === 'anchor') return ' (anchor)';
  if (role === 'bare') return ' (ceiling)';
  return '';
}

function framework(row: RowResult): string {
  return row.configuration.framework === 'express' ? 'Express' : 'Fastify';
}

function tableMarkdown({ table, rows }: TableResult): string {
  const lines = [
    `### ${table.title}`,
    '',
    table.description,
    '',
    '| framework | configuration | req/s | × bare | × anchor | p50 ms | p99 ms | server CPU µs/req | Redis CPU µs/req | CPU × anchor | Redis cmds/req | sent/req | non-2xx | CPU steal |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const bold = row.configuration.role === 'ours' ? '**' : '';
    const label = `${bold}${row.configuration.label}${bold}${roleMark(row)}`;
    const note = row.configuration.note ? ` <br><sub>${row.configuration.note}</sub>` : '';
    lines.push(
      `| ${framework(row)} | ${label}${note} | ${requestsPerSecond(row.reqPerSec)} | ${fixed(row.vsBare?.median, 2)} | ${spread(row.vsAnchor)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ${fixed(row.serverCpuPerRequest, 1)} | ${fixed(row.redisCpuPerRequest, 1)} | ${spread(row.cpuVsAnchor)} | ${fixed(row.commandsPerRequest, 2)} | ${fixed(row.probe?.sentPerRequest, 2)} | ${percent(row.non2xxShare)} | ${percent(row.steal)} |`,
    );
  }
  lines.push('', commandBreakdown(rows));
  return lines.join('\n');
}

/** Which commands make up each row's count: where a hot path's round trips and script work go. */
function commandBreakdown(rows: RowResult[]): string {
  const perName = (counts: Record<string, number> | undefined): string =>
    Object.entries(counts ?? {})
      .sort(([, a], [, b]) => b - a)
      .map(([name, count]) => `${name} ${count.toFixed(2)}`)
      .join(', ') || 'none';
  const lines = [
    '<details><summary>Redis commands per request, by name</summary>',
    '',
    '| framework | configuration | all commands (last round) | sent by the server (MONITOR) |',
    '|---|---|---|---|',
  ];
  for (const row of rows) {
    if (row.configuration.role === 'bare') continue;
    const last = row.samples[row.samples.length - 1];
    lines.push(
      `| ${framework(row)} | ${row.configuration.label} | ${perName(last?.commandsByName)} | ${perName(row.probe?.sentByName)} |`,
    );
  }
  lines.push('', '</details>');
  return lines.join('\n');
}

function handoffMarkdown(results: HandoffResult[]): string {
  const lines = [
    '### Lock, contended hand-off',
    '',
    'Time from the holder calling release() to the waiting contender holding the lock (two ioredis clients, one key; the release comes 2-12 ms after the waiter started waiting).',
    '',
    '| contender | hand-offs | p50 ms | p90 ms | p99 ms | max ms | Redis cmds/hand-off | settings |',
    '|---|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const result of results) {
    const name = result.name.startsWith('rediware') ? `**${result.name}**` : result.name;
    lines.push(
      `| ${name} | ${result.rounds} | ${fixed(result.p50, 2)} | ${fixed(result.p90, 2)} | ${fixed(result.p99, 2)} | ${fixed(result.max, 2)} | ${fixed(result.commandsPerHandoff, 1)} | ${result.note} |`,
    );
  }
  return lines.join('\n');
}

function engineMarkdown({ title, description, rows }: EngineTable): string {
  const lines = [
    `### ${title}`,
    '',
    description,
    '',
    '| case | configuration | ops/s | × anchor | p50 µs | p99 µs | Redis cmds/op | sent/op |',
    '|---|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const bold = row.role === 'ours' ? '**' : '';
    const label = `${bold}${row.name}${bold}${row.role === 'anchor' ? ' (anchor)' : ''} <br><sub>${row.note}</sub>`;
    lines.push(
      `| ${row.group} | ${label} | ${requestsPerSecond(row.opsPerSec)} | ${fixed(row.vsAnchor, 2)} | ${fixed(row.p50Us, 0)} | ${fixed(row.p99Us, 0)} | ${fixed(row.commandsPerOp, 2)} | ${fixed(row.sentPerOp, 2)} |`,
    );
  }
  return lines.join('\n');
}

/** Each issue #14 target the run measured, with its verdict. */
function targetsMarkdown(checks: readonly TargetCheck[]): string {
  const lines = [
    '## Targets',
    '',
    "The speed targets of issue #14, checked against this run. The median's interval is the sign test's confidence interval of the round-by-round median (with up to 5 rounds, the lowest and the highest round): met when all of it clears the bar, missed when none of it does, within the spread when the bar falls inside it (this run cannot tell). More rounds narrow it.",
    '',
    "| target | row | median | lowest | highest | median's interval | verdict |",
    '|---|---|---:|---:|---:|---:|---|',
  ];
  for (const check of checks) {
    const { median, low, high, interval } = check.value;
    const range = `${fixed(interval.low, 2)}-${fixed(interval.high, 2)} (${Math.floor(interval.confidence * 100)}%)`;
    lines.push(
      `| ${check.target} | ${check.row} | ${fixed(median, 2)} | ${fixed(low, 2)} | ${fixed(high, 2)} | ${range} | ${check.verdict} |`,
    );
  }
  return lines.join('\n');
}

export function settingsLine(settings: BenchSettings): string {
  return (
    `${settings.connections} connections, ${settings.duration} s per run after ${settings.warmup} s of warm-up, ` +
    `${settings.rounds} round${settings.rounds === 1 ? '' : 's'} interleaved (medians)` +
    (settings.preset === 'default' ? '' : `, preset --${settings.preset}`) +
    (settings.rtt.length === 0 ? '' : `; RTT tables at ${rttsToMeasure(settings.rtt).join(', ')} ms`)
  );
}

export function reportMarkdown(
  machine: Machine,
  settings: BenchSettings,
  scenarios: ScenarioOutput[],
  calibration: readonly CalibrationRow[] = [],
): string {
  const sections = [
    '# rediware bench results',
    '',
    `- Date: ${machine.date}`,
    `- Machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}; Node ${machine.node}; Redis ${machine.redis} (its own redis-server on loopback, shared by every configuration)`,
    `- Load: autocannon ${machine.packages.autocannon}, ${settingsLine(settings)}; server, Redis and load generator on the same machine`,
    `- Packages: ${Object.entries(machine.packages)
      .filter(([name]) => name !== 'autocannon')
      .map(([name, version]) => `${name} ${version}`)
      .join(', ')}`,
    '',
    "× bare: req/s over the same framework with no middleware, in the same run. × anchor: over the established package of the table for that framework; small print: the lowest and the highest round. server CPU µs/req, Redis CPU µs/req: the server process's and the redis-server's CPU time (user + system) over the measured load ÷ responses; time the hypervisor stole is not charged to a process, so steal does not raise them (timing still moves them). CPU × anchor: the anchor's server + Redis CPU per request over this row's, round by round (median); above 1, the row costs the machine less per request. Redis cmds/req: INFO commandstats delta over the measured load ÷ responses (commands inside Lua scripts count). sent/req: commands the server sent to Redis per request, counted with MONITOR over sequential requests (its round trips, when it does not pipeline). non-2xx: share of answers that were not 2xx (429s in the blocked run). CPU steal: median share of the machine's CPU time the hypervisor gave to other guests during the row's loads (/proc/stat); a row with much more steal than its neighbours ran on a slower machine.",
  ];
  const checks = checkTargets(
    scenarios.flatMap((scenario) => scenario.tables),
    scenarios.flatMap((scenario) => scenario.handoff),
  );
  if (checks.length > 0) sections.push('', targetsMarkdown(checks));
  if (calibration.length > 0) sections.push('', calibrationMarkdown(calibration));
  for (const scenario of scenarios) {
    sections.push('', `## ${scenario.name}`);
    if (
      scenario.tables.length === 0 &&
      scenario.handoff.length === 0 &&
      scenario.engine.length === 0 &&
      scenario.rtt.length === 0
    ) {
      sections.push('', 'Not measured yet (no configurations).');
    }
    for (const table of scenario.tables) sections.push('', tableMarkdown(table));
    if (scenario.handoff.length > 0) sections.push('', handoffMarkdown(scenario.handoff));
    for (const table of scenario.engine) sections.push('', engineMarkdown(table));
    for (const table of scenario.rtt) sections.push('', rttTableMarkdown(table, settings.connections));
  }
  return `${sections.join('\n')}\n`;
}
