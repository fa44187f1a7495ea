import { setTimeout as sleep } from 'node:timers/promises';

export interface Product {
  id: string;
  name: string;
  priceCents: number;
}

/**
 * The shop's system of record: a deliberately slow data source (every read waits `latencyMs`),
 * so the cache in front of it shows. Counts its reads so tests can see what was cached.
 */
export class Catalogue {
  readonly #products = new Map<string, Product>([
    ['1', { id: '1', name: 'Teapot', priceCents: 2_500 }],
    ['2', { id: '2', name: 'Kettle', priceCents: 4_000 }],
    ['3', { id: '3', name: 'Cup', priceCents: 800 }],
  ]);
  readonly #latencyMs: number;
  reads = 0;

  constructor(latencyMs = 100) {
    this.#latencyMs = latencyMs;
  }

  async list(): Promise<Product[]> {
    await this.#slowRead();
    return [...this.#products.values()];
  }

  async find(id: string): Promise<Product | undefined> {
    await this.#slowRead();
    return this.#products.get(id);
  }

  async update(id: string, changes: Partial<Omit<Product, 'id'>>): Promise<Product | undefined> {
    const product = this.#products.get(id);
    if (!product) return undefined;
    const updated = { ...product, ...changes, id };
    this.#products.set(id, updated);
    return updated;
  }

  async #slowRead(): Promise<void> {
    this.reads++;
    await sleep(this.#latencyMs);
  }
}
