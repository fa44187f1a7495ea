import { statusCharts } from '../../shared/src/status-charts';
import { createShop, type Shop } from '../src/app';

let shop: Shop;
beforeAll(async () => {
  shop = await createShop({ readLatencyMs: 1, checkoutMs: 1 });
});
afterAll(() => shop.close());

test("every counter the status page charts is one the shop's plugins report", () => {
  const counters = Object.keys(shop.stats.totals());
  const charted = Object.values(statusCharts)
    .flat()
    .flatMap((chart) =>
      chart.lines.flatMap((line) => ('series' in line ? line.series : [...line.hits, ...line.total])),
    );
  expect(charted.length).toBeGreaterThan(20);
  expect(charted.filter((name) => !counters.includes(name))).toEqual([]);
});
