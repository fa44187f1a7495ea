import type { Database } from 'sql.js';
import { selectAll } from './database';

export interface Order {
  cartId: string;
  /** The lock's fencing token, written with the order: a stale holder's late write is refused. */
  fencingToken: number;
  at: string;
}

/** Orders in the shop's database; a write with a token not above the cart's last one is refused. */
export class Orders {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  place(cartId: string, fencingToken: number): Order {
    const at = new Date().toISOString();
    // The fencing check at the resource: one statement, so no other write slips in between.
    this.#db.run(
      `INSERT INTO orders (cart_id, fencing_token, at)
       SELECT ?, ?, ? WHERE ? > (SELECT COALESCE(MAX(fencing_token), 0) FROM orders WHERE cart_id = ?)`,
      [cartId, fencingToken, at, fencingToken, cartId],
    );
    if (this.#db.getRowsModified() === 0) {
      throw new Error(`stale fencing token ${fencingToken} for cart ${cartId}`);
    }
    return { cartId, fencingToken, at };
  }

  of(cartId: string): Order[] {
    return selectAll(
      this.#db,
      'SELECT cart_id, fencing_token, at FROM orders WHERE cart_id = ? ORDER BY fencing_token',
      [cartId],
    ).map((row) => ({
      cartId: String(row.cart_id),
      fencingToken: Number(row.fencing_token),
      at: String(row.at),
    }));
  }
}
