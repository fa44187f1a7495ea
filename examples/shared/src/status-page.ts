import { rateChartScript } from './rate-chart-script';
import { statusCharts } from './status-charts';

/**
 * The demo's status page: plain HTML and a little script that reads /status.json every second and
 * shows, for each plugin, charts of its rates over the last 3 minutes (./status-charts.ts, drawn by
 * ./rate-chart-script.ts) beside a table of its totals. Every number has an element id
 * (`apiLimit-admitted`, `responseCache-hits`, ...) and every chart one (`chart-lock-rates`) so the
 * end-to-end test can read them.
 */
export const statusPage = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>rediware demo shop</title>
<link rel="icon" href="data:,">
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 2rem; color: #222; }
  section { display: inline-block; vertical-align: top; margin: 0 2rem 1rem 0; }
  h2 { font-size: 1rem; margin: 0 0 .3rem; }
  td:last-child { text-align: right; padding-left: 1rem; font-variant-numeric: tabular-nums; }
  #error { color: #b00; }
  figure { margin: 0 0 .5rem; }
  .chart-title, figcaption { font-size: 12px; color: #555; white-space: pre-wrap; max-width: 320px; }
  svg text { font-size: 10px; fill: #666; }
  svg .grid { stroke: #e3e3e3; }
  svg path { fill: none; stroke-width: 1.5; }
</style>
</head>
<body>
<h1>rediware demo shop</h1>
<p id="framework"></p>
<p id="backend"></p>
<p id="error"></p>
<div id="groups"></div>
<p>Try: <code>GET /products</code>, <code>POST /login {"user":"alice"}</code>,
<code>POST /carts/7/checkout</code>, twice with one <code>Idempotency-Key: "k1"</code> to see it
replayed (the demo printed curl lines; the README has more). Charts: per
second over the last 3 minutes, sampled by the server.</p>
<script>
${rateChartScript}
const charts = ${JSON.stringify(statusCharts)};
const titles = {
  apiLimit: 'API rate limit',
  loginLimit: 'Login rate limit',
  responseCache: 'Response cache',
  dataCache: 'Data cache (cache-aside)',
  lock: 'Checkout lock',
  checkoutIdempotency: 'Checkout Idempotency-Key',
  sessionStore: 'Session store',
  sessions: 'Sessions per user',
  redisFailures: 'Redis failures',
};
function render(status) {
  document.getElementById('framework').textContent = status.framework;
  document.getElementById('backend').textContent = status.backend;
  const groups = document.getElementById('groups');
  groups.replaceChildren();
  for (const [group, title] of Object.entries(titles)) {
    const section = document.createElement('section');
    const heading = document.createElement('h2');
    heading.textContent = title;
    section.append(heading);
    for (const chart of charts[group] || []) section.append(drawChart(chart, status.rates.rates, status.rates.intervalMs));
    groups.append(section);
    const counts = status.counts[group];
    if (counts === undefined) continue;
    const table = document.createElement('table');
    const names = Object.keys(counts);
    if (names.length === 0) table.insertRow().insertCell().textContent = 'none yet';
    for (const name of names) {
      const row = table.insertRow();
      row.insertCell().textContent = name;
      const cell = row.insertCell();
      cell.id = group + '-' + name;
      cell.textContent = String(counts[name]);
    }
    section.append(table);
  }
}
async function refresh() {
  try {
    const response = await fetch('/status.json', { cache: 'no-store' });
    render(await response.json());
    document.getElementById('error').textContent = '';
  } catch (error) {
    document.getElementById('error').textContent = 'status unavailable: ' + error.message;
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
`;
