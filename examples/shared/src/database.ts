import initSqlJs, { type Database } from 'sql.js';

/** The shop's system of record: an in-memory SQLite (sql.js, pure WebAssembly), seeded with three products. */
export async function openDatabase(): Promise<Database> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run(`
    CREATE TABLE products (id TEXT PRIMARY KEY, name TEXT NOT NULL, price_cents INTEGER NOT NULL);
    CREATE TABLE orders (cart_id TEXT NOT NULL, fencing_token INTEGER NOT NULL, at TEXT NOT NULL,
                         PRIMARY KEY (cart_id, fencing_token));
    INSERT INTO products VALUES ('1', 'Teapot', 2500), ('2', 'Kettle', 4000), ('3', 'Cup', 800);
  `);
  return db;
}

/** The rows of one query as plain objects. */
export function selectAll(
  db: Database,
  sql: string,
  params: (string | number)[] = [],
): Record<string, unknown>[] {
  const statement = db.prepare(sql, params);
  try {
    const rows: Record<string, unknown>[] = [];
    while (statement.step()) rows.push(statement.getAsObject());
    return rows;
  } finally {
    statement.free();
  }
}
