import { parseArgs } from 'node:util';

export interface BenchSettings {
  /** Seconds of measured load per run. */
  duration: number;
  connections: number;
  /** Rounds: every configuration runs once per round, interleaved with the others. */
  rounds: number;
  /** Seconds of unmeasured load before each run. */
  warmup: number;
  /** Scenario names to run (rate-limit, session, cache, lock); empty: all. */
  only: string[];
  /** Only this framework's configurations; undefined: both. */
  framework: 'express' | 'fastify' | undefined;
  /** Hand-offs per contender in the lock hand-off test. */
  handoffRounds: number;
  /** Sequential requests watched with MONITOR to count the commands each request sends. */
  probeRequests: number;
  /** The preset the settings started from. */
  preset: 'default' | 'quick' | 'smoke';
  /**
   * Round trips in ms at which the main tables run again with Redis behind the delay proxy (RTT 0,
   * the proxy's own cost, is always added); empty: no RTT tables.
   */
  rtt: number[];
}

const presets: Record<BenchSettings['preset'], Omit<BenchSettings, 'only' | 'framework' | 'preset'>> = {
  default: {
    duration: 10,
    connections: 50,
    rounds: 3,
    warmup: 2,
    handoffRounds: 300,
    probeRequests: 20,
    rtt: [],
  },
  quick: {
    duration: 1,
    connections: 50,
    rounds: 1,
    warmup: 0.3,
    handoffRounds: 50,
    probeRequests: 10,
    rtt: [1],
  },
  smoke: {
    duration: 1,
    connections: 5,
    rounds: 1,
    warmup: 0.2,
    handoffRounds: 20,
    probeRequests: 5,
    rtt: [],
  },
};

export const usage = `Usage: pnpm bench [options]

  --duration <s>        seconds of load per run                  (BENCH_DURATION, default 10)
  --connections <n>     concurrent connections                   (BENCH_CONNECTIONS, default 50)
  --rounds <n>          interleaved rounds, medians are reported (BENCH_ROUNDS, default 3)
  --warmup <s>          unmeasured seconds before each run       (BENCH_WARMUP, default 2)
  --only <a,b>          scenarios: rate-limit, session, cache, lock, idempotency (BENCH_ONLY, default all)
  --framework <name>    express or fastify: that framework's configurations only (default both)
  --handoff-rounds <n>  lock hand-offs per contender             (BENCH_HANDOFF_ROUNDS, default 300)
  --probe-requests <n>  requests watched with MONITOR per configuration (default 20)
  --rtt <ms,ms>         the main tables again with Redis behind a delay proxy adding each round
                        trip (and at RTT 0, the proxy's own cost); off: none (BENCH_RTT, default off)
  --quick               1 round of 1 s with 50 connections, each table's bare, anchor and main
                        row of ours (no other packages, variants, engine tables), and RTT 1 ms
  --smoke               1 round of 1 s with 5 connections: checks that everything runs
  --help`;

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`--${name} must be a positive number, got "${text}"`);
  return value;
}

/** Settings from the command line, then the BENCH_* environment, then the preset. */
export function parseSettings(argv: string[], env: NodeJS.ProcessEnv): BenchSettings | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string' },
      connections: { type: 'string' },
      rounds: { type: 'string' },
      warmup: { type: 'string' },
      only: { type: 'string' },
      framework: { type: 'string' },
      'handoff-rounds': { type: 'string' },
      'probe-requests': { type: 'string' },
      rtt: { type: 'string' },
      quick: { type: 'boolean' },
      smoke: { type: 'boolean' },
      help: { type: 'boolean' },
    },
    // `pnpm bench -- --smoke` passes a lone `--` through.
    allowPositionals: true,
  });
  if (values.help) return 'help';
  const preset = values.smoke ? 'smoke' : values.quick ? 'quick' : 'default';
  const base = presets[preset];
  const only = (values.only ?? env.BENCH_ONLY ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  return {
    duration: positive('duration', values.duration ?? env.BENCH_DURATION, base.duration),
    connections: Math.round(
      positive('connections', values.connections ?? env.BENCH_CONNECTIONS, base.connections),
    ),
    rounds: Math.round(positive('rounds', values.rounds ?? env.BENCH_ROUNDS, base.rounds)),
    warmup: positive('warmup', values.warmup ?? env.BENCH_WARMUP, base.warmup),
    handoffRounds: Math.round(
      positive('handoff-rounds', values['handoff-rounds'] ?? env.BENCH_HANDOFF_ROUNDS, base.handoffRounds),
    ),
    probeRequests: Math.round(positive('probe-requests', values['probe-requests'], base.probeRequests)),
    only,
    framework: parseFramework(values.framework),
    preset,
    rtt: parseRtt(values.rtt ?? env.BENCH_RTT, base.rtt),
  };
}

function parseRtt(text: string | undefined, fallback: number[]): number[] {
  if (text === undefined || text === '') return fallback;
  if (text === 'off') return [];
  return text.split(',').map((part) => {
    const value = Number(part.trim());
    if (part.trim() === '' || !Number.isFinite(value) || value < 0 || value > 1000)
      throw new Error(`--rtt takes round trips in ms (0 to 1000, comma list) or off, got "${text}"`);
    return value;
  });
}

function parseFramework(text: string | undefined): BenchSettings['framework'] {
  if (text === undefined || text === '') return undefined;
  if (text === 'express' || text === 'fastify') return text;
  throw new Error(`--framework must be express or fastify, got "${text}"`);
}
