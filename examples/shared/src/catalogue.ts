import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from 'sql.js';
import { selectAll } from './database';

export interface Product {
  id: string;
  name: string;
  priceCents: number;
}

/**
 * Products in the shop's database, read slowly on purpose (every read waits `latencyMs`, as a
 * remote database would) so the caches in front of it show. Counts its reads so tests can see
 * what was cached.
 */
export class Catalogue {
  readonly #db: Database;
  readonly #latencyMs: number;
  reads = 0;

  constructor(db: Database, latencyMs = 100) {
    this.#db = db;
    this.#latencyMs = latencyMs;
  }

  async list(): Promise<Product[]> {
    await this.#slowRead();
    return selectAll(this.#db, 'SELECT id, name, price_cents FROM products ORDER BY id').map(toProduct);
  }

  async find(id: string): Promise<Product | undefined> {
    await this.#slowRead();
    const [row] = selectAll(this.#db, 'SELECT id, name, price_cents FROM products WHERE id = ?', [id]);
    return row ? toProduct(row) : undefined;
  }

  async update(id: string, changes: Partial<Omit<Product, 'id'>>): Promise<Product | undefined> {
    const current = selectAll(this.#db, 'SELECT id, name, price_cents FROM products WHERE id = ?', [id])[0];
    if (!current) return undefined;
    const updated = { ...toProduct(current), ...pickChanges(changes), id };
    this.#db.run('UPDATE products SET name = ?, price_cents = ? WHERE id = ?', [
      updated.name,
      updated.priceCents,
      id,
    ]);
    return updated;
  }

  async #slowRead(): Promise<void> {
    this.reads++;
    await sleep(this.#latencyMs);
  }
}

function toProduct(row: Record<string, unknown>): Product {
  return { id: String(row.id), name: String(row.name), priceCents: Number(row.price_cents) };
}

/** Only the fields a client may change, with the right types; anything else is ignored. */
function pickChanges(changes: Partial<Omit<Product, 'id'>>): Partial<Omit<Product, 'id'>> {
  const picked: Partial<Omit<Product, 'id'>> = {};
  if (typeof changes.name === 'string') picked.name = changes.name;
  if (Number.isInteger(changes.priceCents)) picked.priceCents = changes.priceCents as number;
  return picked;
}
