// pnpm bench [--duration s] [--connections n] [--rounds n] [--only rate-limit,session,lock] [--quick|--smoke]
// Starts its own redis-server on a free loopback port, runs each scenario's configurations in
// child processes, prints a Markdown report and writes results/latest.md and results/latest.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { startRedis } from '@rediware/testing';
import { parseSettings, usage } from './options';
import { describeMachine } from './report/machine';
import { reportMarkdown, type ScenarioOutput, settingsLine } from './report/markdown';
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
  try {
    process.stderr.write(`bench: ${settingsLine(settings)}; Redis on port ${server.port}\n`);
    const machine = await describeMachine(redis);
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
      outputs.push({ name: scenario.name, tables, handoff, engine });
    }
    const markdown = reportMarkdown(machine, settings, outputs);
    console.log(markdown);
    await mkdir(resultsDir, { recursive: true });
    await writeFile(new URL('latest.md', `file://${resultsDir}`), markdown);
    const json = {
      machine,
      settings,
      scenarios: outputs.map(({ name, tables, handoff, engine }) => ({
        name,
        tables: tables.map(({ table, rows }) => ({
          id: table.id,
          title: table.title,
          rows: rows.map(({ configuration, ...numbers }) => ({ ...configuration, ...numbers })),
        })),
        handoff,
        engine,
      })),
    };
    await writeFile(new URL('latest.json', `file://${resultsDir}`), `${JSON.stringify(json, null, 2)}\n`);
    process.stderr.write(
      `bench: done in ${Math.round((Date.now() - started) / 1000)} s; wrote results/latest.md and results/latest.json\n`,
    );
  } finally {
    await server.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
