// pnpm bench [--duration s] [--connections n] [--rounds n] [--only rate-limit,session,lock] [--rtt ms,...] [--quick|--smoke]
// Starts its own redis-server on a free loopback port, runs each scenario's configurations in
// child processes, prints a Markdown report and writes results/latest.md and results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startRedis } from '@rediware/testing';
import { parseSettings, usage } from './options';
import { describeMachine } from './report/machine';
import { reportMarkdown, type ScenarioOutput, settingsLine } from './report/markdown';
import { type CalibrationRow, calibrateProxy } from './runner/proxy-calibration';
import { type ProxyProcess, startProxyProcess } from './runner/proxy-process';
import { rttsToMeasure, runRttScenario } from './runner/run-rtt';
import { runScenario } from './runner/run-scenario';
import { scenarios } from './scenarios';

const resultsDir = fileURLToPath(new URL('../results/', import.meta.url));

async function main(): Promise<void> {
  const settings = parseSettings(process.argv.slice(2), process.env);
  if (settings === 'help') {
    console.log(usage);
    return;
  }
  const unknown = settings.only.filter((name) => !scenarios.some((scenario) => scenario.name === name));
  if (unknown.length > 0) {
    throw new Error(
      `unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((s) => s.name).join(', ')}`,
    );
  }
  const selected = scenarios.filter(
    (scenario) => settings.only.length === 0 || settings.only.includes(scenario.name),
  );

  // Always a fresh server of our own: never a REDIS_URL the harness would otherwise reuse, and a
  // bench flushes between runs.
  delete process.env.REDIS_URL;
  const server = await startRedis();
  const redis = { host: server.host, port: server.port };
  const started = Date.now();
  let proxy: ProxyProcess | undefined;
  try {
    process.stderr.write(`bench: ${settingsLine(settings)}; Redis on port ${server.port}\n`);
    const machine = await describeMachine(redis);
    let calibration: CalibrationRow[] = [];
    if (settings.rtt.length > 0) {
      proxy = await startProxyProcess(redis);
      calibration = await calibrateProxy(redis, proxy, rttsToMeasure(settings.rtt), 1000);
    }
    const outputs: ScenarioOutput[] = [];
    for (const scenario of selected) {
      const tables =
        scenario.tables.length > 0 ? await runScenario(scenario, redis, server.url, settings) : [];
      const context = {
        redis,
        handoffRounds: settings.handoffRounds,
        duration: settings.duration,
        rounds: settings.rounds,
        probeRequests: settings.probeRequests,
      };
      const handoff = scenario.extra ? await scenario.extra(context) : [];
      // The engine tables stand beside the HTTP ones; a quick run leaves them out.
      const engine = scenario.engine && settings.preset !== 'quick' ? await scenario.engine(context) : [];
      // The same tables with Redis a network hop away.
      const rtt = proxy ? await runRttScenario(scenario, redis, proxy, settings, tables) : [];
      outputs.push({ name: scenario.name, tables, handoff, engine, rtt });
    }
    const markdown = reportMarkdown(machine, settings, outputs, calibration);
    console.log(markdown);
    await mkdir(resultsDir, { recursive: true });
    await writeFile(new URL('latest.md', `file://${resultsDir}`), markdown);
    const json = {
      machine,
      settings,
      calibration,
      scenarios: outputs.map(({ name, tables, handoff, engine, rtt }) => ({
        name,
        tables: tables.map(({ table, rows }) => ({
          id: table.id,
          title: table.title,
          rows: rows.map(({ configuration, ...numbers }) => ({ ...configuration, ...numbers })),
        })),
        handoff,
        engine,
        rtt: rtt.map(({ table, rtts, rows }) => ({
          id: table.id,
          title: table.title,
          rtts,
          rows: rows.map(({ configuration, ...numbers }) => ({ ...configuration, ...numbers })),
        })),
      })),
    };
    await writeFile(new URL('latest.json', `file://${resultsDir}`), `${JSON.stringify(json, null, 2)}\n`);
    process.stderr.write(
      `bench: done in ${Math.round((Date.now() - started) / 1000)} s; wrote results/latest.md and results/latest.json\n`,
    );
  } finally {
    await proxy?.stop();
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
