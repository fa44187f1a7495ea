/** A label matcher of a PromQL selector: `limiter=~"$limiter"` is { label: 'limiter', op: '=~', value: '$limiter' }. */
export interface LabelMatcher {
  label: string;
  op: '=' | '!=' | '=~' | '!~';
  value: string;
}

/** A vector selector: `rediware_lock_wait_seconds_bucket{job=~"$job"}`; `metric` is undefined for `{__name__=~"..."}`. */
export interface Selector {
  metric: string | undefined;
  matchers: LabelMatcher[];
}

/** What a PromQL expression reads: its selectors, and the labels it groups or matches on. */
export interface PromqlReads {
  selectors: Selector[];
  /** Labels of `by (...)`, `without (...)`, `on (...)`, `ignoring (...)`, `group_left (...)`, `group_right (...)`. */
  groupingLabels: string[];
}

/** Functions and aggregations a dashboard may call (PromQL's, plus Grafana's `label_values`). */
const functions = new Set(
  [
    'abs absent absent_over_time avg avg_over_time bottomk ceil changes clamp clamp_max clamp_min ',
    'count count_over_time count_values delta deriv exp floor group histogram_quantile idelta ',
    'increase irate label_replace label_values ln log10 log2 max max_over_time min min_over_time ',
    'predict_linear quantile quantile_over_time rate resets round scalar sort sort_desc sqrt stddev ',
    'stdvar sum sum_over_time time timestamp topk vector',
  ]
    .join('')
    .split(' '),
);
const groupingKeywords = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const operatorKeywords = new Set(['and', 'or', 'unless', 'bool', 'offset']);

/**
 * Reads a PromQL expression (Grafana's `$__rate_interval`-style variables allowed in ranges and
 * strings) and returns what it selects. Not a full PromQL parser: it knows identifiers, strings,
 * numbers, ranges, label matchers and brackets, which is what a dashboard query is made of, and
 * throws on anything else, on an unknown function and on unbalanced brackets.
 */
export function readPromql(expr: string): PromqlReads {
  const selectors: Selector[] = [];
  const groupingLabels: string[] = [];
  const depth: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`${why} at ${i} in: ${expr}`);
  };
  const skipSpace = () => {
    while (i < expr.length && /\s/.test(expr[i] as string)) i++;
  };
  const identifier = (): string => {
    const match = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(expr.slice(i));
    if (!match) return fail('expected a name');
    i += match[0].length;
    return match[0];
  };
  const string = (): string => {
    const quote = expr[i];
    if (quote !== '"' && quote !== "'") return fail('expected a string');
    let value = '';
    for (i++; i < expr.length && expr[i] !== quote; i++) {
      if (expr[i] === '\\') i++;
      value += expr[i];
    }
    if (expr[i] !== quote) fail('unterminated string');
    i++;
    return value;
  };
  const matchers = (): LabelMatcher[] => {
    const found: LabelMatcher[] = [];
    i++; // {
    for (skipSpace(); expr[i] !== '}'; skipSpace()) {
      const label = identifier();
      skipSpace();
      const op = /^(=~|!~|!=|=)/.exec(expr.slice(i))?.[0] as LabelMatcher['op'] | undefined;
      if (!op) fail('expected =, !=, =~ or !~');
      i += (op as string).length;
      skipSpace();
      found.push({ label, op: op as LabelMatcher['op'], value: string() });
      skipSpace();
      if (expr[i] === ',') i++;
      else if (expr[i] !== '}') fail('expected , or }');
    }
    i++; // }
    return found;
  };
  const labelList = (): string[] => {
    const labels: string[] = [];
    i++; // (
    for (skipSpace(); expr[i] !== ')'; skipSpace()) {
      labels.push(identifier());
      skipSpace();
      if (expr[i] === ',') i++;
      else if (expr[i] !== ')') fail('expected , or )');
    }
    i++; // )
    return labels;
  };

  for (skipSpace(); i < expr.length; skipSpace()) {
    const c = expr[i] as string;
    if (/[a-zA-Z_:]/.test(c)) {
      const name = identifier();
      skipSpace();
      if (groupingKeywords.has(name)) {
        if (expr[i] === '(') groupingLabels.push(...labelList());
        else if (name !== 'group_left' && name !== 'group_right') fail(`expected ( after ${name}`);
      } else if (operatorKeywords.has(name)) {
        // a binary operator or modifier
      } else if (name === 'label_values' && expr[i] === '(') {
        // Grafana's label_values([selector,] label): the label is read from the selected series.
        const close = expr.lastIndexOf(')');
        const match = /^(.*?),?\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*$/s.exec(expr.slice(i + 1, close));
        if (!match || close !== expr.trimEnd().length - 1) fail('expected label_values([selector,] label)');
        const inner = readPromql((match as RegExpExecArray)[1] as string);
        selectors.push(...inner.selectors);
        groupingLabels.push(...inner.groupingLabels, (match as RegExpExecArray)[2] as string);
        i = close + 1;
      } else if (expr[i] === '(' || (functions.has(name) && /^(by|without)\b/.test(expr.slice(i)))) {
        if (!functions.has(name)) fail(`unknown function ${name}`);
      } else {
        selectors.push({ metric: name, matchers: expr[i] === '{' ? matchers() : [] });
      }
    } else if (c === '{') {
      selectors.push({ metric: undefined, matchers: matchers() });
    } else if (c === '[') {
      const end = expr.indexOf(']', i);
      if (end === -1 || !/^\[(\$\w+|\d+[smhdwy])(:(\$\w+|\d+[smhdwy])?)?\]$/.test(expr.slice(i, end + 1))) {
        fail('expected a range such as [5m] or [$__rate_interval]');
      }
      i = end + 1;
    } else if (c === '(') {
      depth.push(c);
      i++;
    } else if (c === ')') {
      if (depth.pop() !== '(') fail('unbalanced )');
      i++;
    } else if (/[0-9.]/.test(c)) {
      const number = /^[0-9]*\.?[0-9]+(e[+-]?[0-9]+)?/i.exec(expr.slice(i));
      if (!number) fail('expected a number');
      i += (number as RegExpExecArray)[0].length;
    } else if (c === '"' || c === "'") {
      string();
    } else if (/^(==|!=|>=|<=|[-+*/%^<>,])/.test(expr.slice(i))) {
      i += /^(==|!=|>=|<=)/.test(expr.slice(i)) ? 2 : 1;
    } else {
      fail(`unexpected ${c}`);
    }
  }
  if (depth.length > 0) fail('unbalanced (');
  if (selectors.length === 0) fail('no selector');
  return { selectors, groupingLabels };
}
