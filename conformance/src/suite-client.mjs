// Runs the suite's client against one base URL and prints its raw results as JSON on stdout.
// A process of its own: the suite's runner keeps its results in module state, so every run
// needs a fresh module graph.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const suiteDir = dirname(createRequire(import.meta.url).resolve('http-cache-tests/package.json'));
const load = (path) => import(pathToFileURL(join(suiteDir, path)).href);

const [baseUrl, ...skipped] = process.argv.slice(2);
const { runTests, getResults } = await load('client/runner.mjs');
const { default: tests } = await load('tests/index.mjs');
const { default: surrogate } = await load('tests/surrogate-control.mjs');
const { default: fetch } = await import(createRequire(join(suiteDir, 'package.json')).resolve('node-fetch'));

const suites = [...tests, surrogate].map((suite) => ({
  ...suite,
  tests: suite.tests.filter((test) => !skipped.includes(test.id)),
}));
await runTests(suites, fetch, false, baseUrl);
process.stdout.write(JSON.stringify(getResults()));
