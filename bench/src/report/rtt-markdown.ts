import type { CalibrationRow } from '../runner/proxy-calibration';
import type { RttCell, RttLatency, RttRowResult, RttTableResult } from '../runner/run-rtt';

const fixed = (value: number | undefined, digits: number): string =>
  value === undefined || Number.isNaN(value) ? '–' : value.toFixed(digits);

const rttName = (rttMs: number): string => `RTT ${rttMs} ms`;

function label(row: RttRowResult): string {
  const { role, label: text, framework } = row.configuration;
  const name = `${framework === 'express' ? 'Express' : 'Fastify'} | ${role === 'ours' ? `**${text}**` : text}`;
  if (role === 'anchor') return `${name} (anchor)`;
  if (role === 'bare') return `${name} (ceiling: its own ms)`;
  return name;
}

/** p50 / p99: the bare framework's own, every other row's added over it. */
function latency(row: RttRowResult, value: RttLatency): string {
  return row.configuration.role === 'bare'
    ? `${fixed(value.p50, 2)} / ${fixed(value.p99, 2)}`
    : `${fixed(value.addedP50, 2)} / ${fixed(value.addedP99, 2)}`;
}

/** (p50 added at `cell`'s RTT − p50 added at RTT 0) ÷ RTT: how many round trips a request waits for. */
function roundTripsFelt(row: RttRowResult, cell: RttCell): string {
  const atZero = row.cells.find((one) => one.rttMs === 0);
  if (row.configuration.role === 'bare' || atZero === undefined || cell.rttMs === 0) return '–';
  return fixed((cell.sequential.addedP50 - atZero.sequential.addedP50) / cell.rttMs, 2);
}

/**
 * Issue #35's target at `rttMs`, for a row of ours with a floor: its sequential p50 added over the
 * same row at RTT 0 at most floor × RTT + 0.3 ms, and its p50 added over bare at or below its
 * anchor's at every RTT.
 */
function hopTarget(row: RttRowResult, rows: readonly RttRowResult[], rttMs: number): string {
  const floor = row.configuration.floorRoundTrips;
  const at = row.cells.find((cell) => cell.rttMs === rttMs);
  const atZero = row.cells.find((cell) => cell.rttMs === 0);
  if (floor === undefined || at === undefined || atZero === undefined) return '–';
  const over = at.sequential.addedP50 - atZero.sequential.addedP50;
  const bar = floor * rttMs + 0.3;
  const anchor = row.configuration.unlikeAnchor
    ? undefined
    : rows.find(
        (one) =>
          one.configuration.role === 'anchor' && one.configuration.framework === row.configuration.framework,
      );
  // Each RTT at which the row adds more than its anchor, and by how much.
  const aboveAnchor = anchor
    ? row.cells.flatMap((cell) => {
        const theirs = anchor.cells.find((one) => one.rttMs === cell.rttMs);
        const excess = theirs === undefined ? 0 : cell.sequential.addedP50 - theirs.sequential.addedP50;
        return excess > 0 ? [`${cell.rttMs} ms (+${fixed(excess, 2)})`] : [];
      })
    : [];
  const anchorNote =
    anchor === undefined
      ? ', no anchor'
      : aboveAnchor.length > 0
        ? `, above anchor at ${aboveAnchor.join(', ')}`
        : '';
  const met = over <= bar && aboveAnchor.length === 0;
  return `${fixed(over, 2)} ${over <= bar ? '≤' : '>'} ${fixed(bar, 2)}${anchorNote}: ${met ? 'met' : 'missed'}`;
}

/** One scenario table with Redis a hop away: sequential requests, then the same rows under load. */
export function rttTableMarkdown({ table, rtts, rows }: RttTableResult, connections: number): string {
  const hops = rtts.filter((rtt) => rtt > 0);
  const targetRtt = hops[hops.length - 1];
  const targetColumn = targetRtt === undefined ? '' : ` target, ${rttName(targetRtt)} |`;
  const sequential = [
    `### ${table.title}: Redis a hop away`,
    '',
    `One request at a time (pure latency), in turn with the bare framework's, then under load (${connections} connections). p50 / p99 ms added over the bare framework: its requests sent in turn with the row's, or under load its run just before the row's (the bare row: its own). RTT 0: the proxy in the path, no delay. round trips felt: (p50 added at the RTT − p50 added at RTT 0) ÷ RTT. target (issue #35, rows of ours): p50 added over the same row at RTT 0 at most the floor's round trips × RTT + 0.3 ms, and p50 added at or below the anchor's at every RTT. sent/req: commands sent per request on loopback (MONITOR, the table above).`,
    '',
    `| framework | configuration | sent/req | ${rtts.map((rtt) => `${rttName(rtt)} p50 / p99`).join(' | ')} | ${hops.map((rtt) => `round trips felt, ${rttName(rtt)}`).join(' | ')} |${targetColumn}`,
    `|---|---|---:|${rtts.map(() => '---:').join('|')}|${hops.map(() => '---:').join('|')}|${targetRtt === undefined ? '' : '---|'}`,
  ];
  for (const row of rows) {
    const cells = row.cells.map((cell) => latency(row, cell.sequential));
    const felt = row.cells.filter((cell) => cell.rttMs > 0).map((cell) => roundTripsFelt(row, cell));
    const target = targetRtt === undefined ? '' : ` ${hopTarget(row, rows, targetRtt)} |`;
    sequential.push(
      `| ${label(row)} | ${fixed(row.sentPerRequest, 2)} | ${cells.join(' | ')} | ${felt.join(' | ')} |${target}`,
    );
  }
  const underLoad = [
    '',
    `Under load, ${connections} connections:`,
    '',
    `| framework | configuration | ${rtts.map((rtt) => `${rttName(rtt)} p50 / p99 | req/s × bare`).join(' | ')} |`,
    `|---|---|${rtts.map(() => '---:|---:').join('|')}|`,
  ];
  for (const row of rows) {
    const cells = row.cells.map(
      (cell) => `${latency(row, cell.underLoad)} | ${fixed(cell.underLoad.vsBare, 2)}`,
    );
    underLoad.push(`| ${label(row)} | ${cells.join(' | ')} |`);
  }
  return [...sequential, ...underLoad].join('\n');
}

/** The proxy measured on its own: PING round trips straight to Redis and through it. */
export function calibrationMarkdown(rows: readonly CalibrationRow[]): string {
  const direct = rows.find((row) => row.rttMs === undefined);
  const lines = [
    '## Redis a hop away: the delay proxy',
    '',
    `The RTT tables reach Redis through a TCP proxy (its own process) that holds each chunk RTT / 2 in each direction, flushed by \`process.hrtime\`. Here: ${direct?.pings ?? 0} PINGs one at a time, straight to Redis and through the proxy. At RTT 0 the added time is the proxy's own cost; above it, its precision.`,
    '',
    '| Redis reached | min ms | p50 ms | p99 ms | p50 added over straight, ms |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const name = row.rttMs === undefined ? 'straight (loopback)' : `through the proxy, ${rttName(row.rttMs)}`;
    const addedP50 = row.rttMs === undefined || direct === undefined ? '–' : fixed(row.p50 - direct.p50, 3);
    lines.push(
      `| ${name} | ${fixed(row.min, 3)} | ${fixed(row.p50, 3)} | ${fixed(row.p99, 3)} | ${addedP50} |`,
    );
  }
  return lines.join('\n');
}
