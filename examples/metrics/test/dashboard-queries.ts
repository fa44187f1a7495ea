import { readPromql } from './promql-selectors';

/** Labels Prometheus adds to every series it scrapes, whatever the app exports. */
export const targetLabels = new Set(['job', 'instance']);

export interface DashboardQuery {
  /** Where it is: `panel "Hit ratio" A`, `variable limiter`. */
  where: string;
  expr: string;
}

interface Dashboard {
  panels?: Array<{ title?: string; targets?: Array<{ refId?: string; expr?: string }> }>;
  templating?: { list?: Array<{ name?: string; query?: string | { query?: string } }> };
}

/** Every PromQL query of a Grafana dashboard: each panel target's `expr` and each query variable's query. */
export function dashboardQueries(dashboard: Dashboard): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  for (const panel of dashboard.panels ?? []) {
    for (const target of panel.targets ?? []) {
      queries.push({ where: `panel "${panel.title}" ${target.refId}`, expr: target.expr ?? '' });
    }
  }
  for (const variable of dashboard.templating?.list ?? []) {
    const query = typeof variable.query === 'string' ? variable.query : variable.query?.query;
    if (query !== undefined) queries.push({ where: `variable ${variable.name}`, expr: query });
  }
  return queries;
}

/**
 * What is wrong with the queries against `exported` (series name → label names, as scraped): a
 * query that does not parse, a metric no package exports, a label matcher or grouping label the
 * selected metrics do not carry (Prometheus' own `job` and `instance` aside), a rediware selector
 * without the dashboard's `job=~"$job"` filter. Empty when all is well.
 */
export function queryProblems(queries: DashboardQuery[], exported: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  for (const { where, expr } of queries) {
    let reads: ReturnType<typeof readPromql>;
    try {
      reads = readPromql(expr);
    } catch (error) {
      problems.push(`${where}: ${(error as Error).message}`);
      continue;
    }
    const selectedLabels = new Set(targetLabels);
    for (const { metric, matchers } of reads.selectors) {
      let names: string[];
      if (metric === undefined) {
        const byName = matchers.find((m) => m.label === '__name__' && m.op === '=~');
        const pattern = new RegExp(`^(?:${byName?.value ?? '(?!)'})$`);
        names = [...exported.keys()].filter((name) => pattern.test(name));
        if (names.length === 0)
          problems.push(`${where}: no exported metric matches {__name__=~"${byName?.value}"}`);
      } else if (exported.has(metric)) {
        names = [metric];
        if (!matchers.some((m) => m.label === 'job' && m.op === '=~' && m.value === '$job'))
          problems.push(`${where}: ${metric} without job=~"$job"`);
      } else {
        problems.push(`${where}: ${metric} is not exported`);
        continue;
      }
      const labels = new Set(targetLabels);
      for (const name of names) for (const label of exported.get(name) ?? []) labels.add(label);
      for (const label of labels) selectedLabels.add(label);
      for (const { label } of matchers) {
        if (label !== '__name__' && !labels.has(label))
          problems.push(`${where}: ${metric ?? 'the selector'} has no label ${label}`);
      }
    }
    for (const label of reads.groupingLabels) {
      if (!selectedLabels.has(label))
        problems.push(`${where}: groups by ${label}, which no selected metric has`);
    }
  }
  return problems;
}
