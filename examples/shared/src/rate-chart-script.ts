/**
 * Browser code of the status page's charts, plain inline SVG (no charting library): `drawChart(spec,
 * rates)` returns a <figure> with the chart of one ChartSpec (./status-charts.ts) over the rates of
 * `/status.json`, and a legend with each line's latest value.
 *
 * For the end-to-end test and for anyone reading the DOM: the <svg> has `id="chart-<spec.id>"`, each
 * line is a <path data-line="<label>" data-sum="<sum of its points>" data-last="<latest point>">.
 * With no traffic the rate lines lie flat on 0 under a 0..1 axis; a ratio with no requests draws
 * no line and says so; a ratio is taken over the last 10 samples. Under load the axis grows to the next 1, 2 or 5 times a power of ten.
 */
export const rateChartScript = `
const svgNs = 'http://www.w3.org/2000/svg';
const lineColors = ['#1f6fb4', '#c62828', '#ef6c00', '#6a1b9a', '#2e7d32', '#00838f'];
const ratioWindow = 10;
const box = { width: 320, height: 110, left: 38, right: 8, top: 8, bottom: 18 };

function svgElement(name, attributes, text) {
  const element = document.createElementNS(svgNs, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

function sumOf(rates, names, i) {
  let sum = 0;
  for (const name of names) sum += (rates[name] || [])[i] || 0;
  return sum;
}

/** Each line's points: a number per sample, or null where a ratio has no requests. */
function pointsOf(spec, rates, length) {
  return spec.lines.map((line) => {
    const points = [];
    for (let i = 0; i < length; i++) {
      if (spec.kind === 'rate') points.push(sumOf(rates, line.series, i));
      else {
        // Over the last ratioWindow samples: a lone request stays visible, and one second's few
        // requests do not swing the line from 0 to 100%.
        let hits = 0;
        let total = 0;
        for (let j = Math.max(0, i - ratioWindow + 1); j <= i; j++) {
          hits += sumOf(rates, line.hits, j);
          total += sumOf(rates, line.total, j);
        }
        points.push(total > 0 ? (100 * hits) / total : null);
      }
    }
    return points;
  });
}

function niceCeiling(value) {
  if (!(value > 1)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}

function formatValue(value, unit) {
  if (value === null) return '-';
  if (unit === '%') return Math.round(value) + '%';
  if (value >= 10000) return Math.round(value / 1000) + 'k/s';
  if (value >= 1000) return (value / 1000).toFixed(1) + 'k/s';
  return (value >= 10 ? Math.round(value) : Math.round(value * 10) / 10) + '/s';
}

function pathOf(points, x, y) {
  let d = '';
  let pen = 'M';
  points.forEach((point, i) => {
    if (point === null) {
      pen = 'M';
      return;
    }
    d += pen + x(i).toFixed(1) + ' ' + y(point).toFixed(1);
    pen = 'L';
  });
  return d;
}

function drawChart(spec, rates, intervalMs) {
  const length = Math.max(1, ...Object.values(rates).map((series) => series.length));
  const lines = pointsOf(spec, rates, length);
  const unit = spec.kind === 'ratio' ? '%' : '/s';
  const top = unit === '%' ? 100 : niceCeiling(Math.max(0, ...lines.flat().filter((p) => p !== null)));
  const plotWidth = box.width - box.left - box.right;
  const plotHeight = box.height - box.top - box.bottom;
  const x = (i) => box.left + (length === 1 ? plotWidth : (i * plotWidth) / (length - 1));
  const y = (value) => box.top + plotHeight - (value / top) * plotHeight;

  const svg = svgElement('svg', {
    id: 'chart-' + spec.id,
    viewBox: '0 0 ' + box.width + ' ' + box.height,
    width: box.width,
    height: box.height,
    role: 'img',
    'aria-label': spec.title,
    'data-top': top,
  });
  for (const value of [0, top / 2, top]) {
    svg.append(
      svgElement('line', { x1: box.left, x2: box.width - box.right, y1: y(value), y2: y(value), class: 'grid' }),
      svgElement('text', { x: box.left - 4, y: y(value) + 4, 'text-anchor': 'end' }, formatValue(value, unit)),
    );
  }
  const seconds = Math.round((length * intervalMs) / 1000);
  const minutes = seconds >= 120 ? Math.round(seconds / 60) + ' min' : seconds + ' s';
  svg.append(
    svgElement('text', { x: box.left, y: box.height - 4 }, minutes + ' ago'),
    svgElement('text', { x: box.width - box.right, y: box.height - 4, 'text-anchor': 'end' }, 'now'),
  );
  const legend = document.createElement('figcaption');
  spec.lines.forEach((line, n) => {
    const points = lines[n];
    const color = lineColors[n % lineColors.length];
    const drawn = points.filter((p) => p !== null);
    const last = points[points.length - 1];
    svg.append(
      svgElement('path', {
        d: pathOf(points, x, y),
        stroke: color,
        'data-line': line.label,
        'data-sum': Math.round(drawn.reduce((a, b) => a + b, 0) * 100) / 100,
        'data-last': last === null ? '' : Math.round(last * 100) / 100,
      }),
    );
    const key = document.createElement('span');
    key.style.color = color;
    key.textContent = '\\u25a0 ';
    legend.append(key, line.label + ' ' + formatValue(last, unit) + '  ');
    if (spec.kind === 'ratio' && drawn.length === 0) {
      svg.append(
        svgElement('text', { x: box.left + plotWidth / 2, y: box.top + plotHeight / 2, 'text-anchor': 'middle' }, 'no requests'),
      );
    }
  });
  const figure = document.createElement('figure');
  const title = document.createElement('div');
  title.className = 'chart-title';
  title.textContent = spec.title;
  figure.append(title, svg, legend);
  return figure;
}
`;
