import Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import type { Clock } from '../../../src/support/clock.js';
import { ensureSchema } from '../../../src/state/migrations.js';

/** An in-memory database with the reference schema (ensureSchema), closed when the test finishes. */
export function schemaDb(): Database.Database {
  const db = new Database(':memory:');
  onTestFinished(() => {
    if (db.open) db.close();
  });
  const outcome = ensureSchema(db);
  if (outcome.kind !== 'created') throw new Error(`schema not created: ${JSON.stringify(outcome)}`);
  db.pragma('foreign_keys = ON');
  return db;
}

/** An empty in-memory database, closed when the test finishes. */
export function emptyDb(): Database.Database {
  const db = new Database(':memory:');
  onTestFinished(() => {
    if (db.open) db.close();
  });
  return db;
}

/** A clock the test moves by hand. */
export function manualClock(startMs: number): Clock & { set(ms: number): void } {
  let now = startMs;
  return { nowMs: () => now, set: (ms: number) => void (now = ms) };
}
