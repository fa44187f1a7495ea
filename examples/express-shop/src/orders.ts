export interface Order {
  cartId: string;
  /** The lock's fencing token, written with the order: a stale holder's late write is detectable. */
  fencingToken: number;
  at: string;
}

/** Orders as a database would keep them; refuses a write older than the last one per cart. */
export class Orders {
  readonly #byCart = new Map<string, Order[]>();

  place(cartId: string, fencingToken: number): Order {
    const orders = this.#byCart.get(cartId) ?? [];
    const last = orders.at(-1);
    if (last && last.fencingToken >= fencingToken) {
      throw new Error(`stale fencing token ${fencingToken} for cart ${cartId} (last ${last.fencingToken})`);
    }
    const order = { cartId, fencingToken, at: new Date().toISOString() };
    orders.push(order);
    this.#byCart.set(cartId, orders);
    return order;
  }

  of(cartId: string): Order[] {
    return this.#byCart.get(cartId) ?? [];
  }
}
