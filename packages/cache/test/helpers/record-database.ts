import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import initSqlJs, { type Database } from 'sql.js';

/**
 * The system of record of the write-behind crash test: a SQLite database (sql.js, WebAssembly) in
 * a file. Each transaction loads the file, applies its statements and replaces the file with a
 * rename, so a process killed at any instant leaves either the old or the new database.
 */
export async function openRecord(file: string): Promise<Database> {
  const SQL = await initSqlJs();
  return new SQL.Database(readFileSync(file));
}

export async function createRecord(file: string): Promise<void> {
  const SQL = await initSqlJs();
  const db = new SQL.Database();
  db.run('CREATE TABLE items (key TEXT PRIMARY KEY, value INTEGER NOT NULL, flushes INTEGER NOT NULL)');
  save(db, file);
  db.close();
}

/** Upserts every row in one transaction, committed by replacing the file. */
export async function upsertRows(
  file: string,
  rows: readonly { key: string; value: number }[],
): Promise<void> {
  const db = await openRecord(file);
  db.run('BEGIN');
  for (const { key, value } of rows) {
    db.run(
      'INSERT INTO items (key, value, flushes) VALUES (?, ?, 1) ' +
        'ON CONFLICT(key) DO UPDATE SET value = excluded.value, flushes = flushes + 1',
      [key, value],
    );
  }
  db.run('COMMIT');
  save(db, file);
  db.close();
}

export async function readRows(file: string): Promise<Map<string, number>> {
  const db = await openRecord(file);
  const result = db.exec('SELECT key, value FROM items');
  db.close();
  return new Map((result[0]?.values ?? []).map(([key, value]) => [String(key), Number(value)]));
}

function save(db: Database, file: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, db.export());
  renameSync(temporary, file);
}
