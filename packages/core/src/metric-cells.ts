import type { Counter, MetricLabels } from './metrics';

/** The running total of one label set; every engine bound to the same labels adds to it. */
export interface MetricCell extends Counter {
  readonly labels: MetricLabels;
  value: number;
}

/**
 * The cells of one counter name, read by a pull exporter at scrape time. Increments stay a field
 * update: the exporter turns totals into its own metric objects only when it is scraped.
 */
export class MetricCells {
  readonly #cells = new Map<string, MetricCell>();

  cell(labels: MetricLabels): MetricCell {
    const id = JSON.stringify(Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : 1)));
    let cell = this.#cells.get(id);
    if (!cell) {
      const frozen = Object.freeze({ ...labels });
      cell = {
        labels: frozen,
        value: 0,
        add(amount: number) {
          this.value += amount;
        },
      };
      this.#cells.set(id, cell);
    }
    return cell;
  }

  [Symbol.iterator](): IterableIterator<MetricCell> {
    return this.#cells.values();
  }
}
