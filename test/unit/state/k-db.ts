import { readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import type { Clock } from '../../../src/support/clock.js';
import { ensureSchema } from '../../../src/state/migrations.js';
import { STATE_DB_FILE } from '../../../src/state/open.js';
import type { GateTimer } from '../../../src/state/startup.js';

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

/** File descriptors of this process open on the state DB file (a connection left open keeps one). */
export function openDescriptors(home: string): number {
  const target = path.join(home, STATE_DB_FILE);
  let n = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === target) n += 1;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** A clock the start-up gate reads and sleeps on: `sleep` records the request and moves the clock by it, at once. */
export function manualTimer(startMs = 0): GateTimer & { slept: number[]; advance(ms: number): void } {
  let t = startMs;
  const slept: number[] = [];
  return {
    now: () => t,
    sleep: (ms: number) => {
      slept.push(ms);
      t += ms;
      return Promise.resolve();
    },
    slept,
    advance: (ms: number) => void (t += ms),
  };
}
