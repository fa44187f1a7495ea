import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { suiteDir } from './origin-server';

/**
 * Left out of every row: they need a response whose Content-Length disagrees with its body, which
 * Node's HTTP server refuses to send (the suite's runner would wait for them forever).
 */
export const skippedTests = ['headers-store-Content-Length', '304-etag-update-response-Content-Length'];

export type RawResults = Record<string, unknown>;

export interface Score {
  required: number;
  requiredTotal: number;
  optimal: number;
  optimalTotal: number;
  /** Required tests not passed (failed, or not judged because one they depend on failed). */
  requiredFailed: string[];
  /** Optimal tests not passed, judged the same way. */
  optimalFailed: string[];
}

interface SuiteTest {
  id: string;
  kind?: 'required' | 'optimal' | 'check';
  browser_only?: boolean;
}

interface Suite {
  tests: SuiteTest[];
}

/** The icon lib/display.mjs gives a passed test (its result types are not exported). */
const passIcon = '\uf058';

type DetermineResult = (suites: Suite[], id: string, results: RawResults) => [string, string, string];

const load = async <T>(path: string): Promise<T> =>
  (await import(pathToFileURL(join(suiteDir, path)).href)) as T;

/** The suite's own judgement (lib/display.mjs), dependencies honoured, over what it runs outside a browser. */
export async function scorer(): Promise<(results: RawResults) => Score> {
  const { default: tests } = await load<{ default: Suite[] }>('tests/index.mjs');
  const { default: surrogate } = await load<{ default: Suite }>('tests/surrogate-control.mjs');
  const display = await load<{ determineTestResult: DetermineResult }>('lib/display.mjs');
  const suites = [...tests, surrogate];
  const judged = suites
    .flatMap((suite) => suite.tests)
    .filter((test) => !test.browser_only && !skippedTests.includes(test.id) && test.kind !== 'check');
  return (results) => {
    const passed = (test: SuiteTest) => display.determineTestResult(suites, test.id, results)[0] === passIcon;
    const required = judged.filter((test) => test.kind !== 'optimal');
    const optimal = judged.filter((test) => test.kind === 'optimal');
    return {
      required: required.filter(passed).length,
      requiredTotal: required.length,
      optimal: optimal.filter(passed).length,
      optimalTotal: optimal.length,
      requiredFailed: required.filter((test) => !passed(test)).map((test) => test.id),
      optimalFailed: optimal.filter((test) => !passed(test)).map((test) => test.id),
    };
  };
}

export interface PublishedResult {
  name: string;
  version: string | undefined;
  results: RawResults;
}

/** The results the suite ships (results/index.mjs): the browsers are left out, they are not shared caches. */
export async function publishedResults(): Promise<PublishedResult[]> {
  const { default: index } = await load<{
    default: Array<{ name: string; file: string; type: string; version?: string }>;
  }>('results/index.mjs');
  const require = createRequire(join(suiteDir, 'package.json'));
  return index
    .filter((entry) => entry.type !== 'browser')
    .map((entry) => ({
      name: entry.name,
      version: entry.version,
      results: require(join(suiteDir, 'results', entry.file)) as RawResults,
    }));
}
