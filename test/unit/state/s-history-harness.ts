/** A connection with `thread_history_1.sqlite` attached as `history`, and builders for projection updates. */
import path from 'node:path';
import Database from 'better-sqlite3';
import { onTestFinished } from 'vitest';
import type { ProjectedItemChange, ProjectedTurnChange, ProjectionStep } from '../../../src/state/history-projection-port.js';
import { attachThreadHistory, type ThreadHistoryStore } from '../../../src/state/history-projection-store.js';
import { makeTempHome, recordingLogger, type RecordingLogger } from './helpers.js';

export interface HistoryHarness {
  home: string;
  db: Database.Database;
  store: ThreadHistoryStore;
  log: RecordingLogger;
}

export function connection(home: string, timeout = 5000): Database.Database {
  const db = new Database(path.join(home, 'state_5.sqlite'), { timeout });
  onTestFinished(() => void (db.open && db.close()));
  return db;
}

export async function historyStore(home = makeTempHome('s-history-')): Promise<HistoryHarness> {
  const db = connection(home);
  const log = recordingLogger();
  const store = await attachThreadHistory(db, home, log);
  if (!store) throw new Error(`history did not attach: ${log.warnings.join('; ')}`);
  return { home, db, store, log };
}

export function turn(turnId: string, status: ProjectedTurnChange['status'], extra: Partial<ProjectedTurnChange> = {}): ProjectedTurnChange {
  return { turnId, rootTurnId: null, status, errorJson: null, startedAt: null, completedAt: null, durationMs: null, ...extra };
}

export function item(turnId: string, itemId: string, json: Record<string, unknown>, extra: Partial<ProjectedItemChange> = {}): ProjectedItemChange {
  return { turnId, itemId, itemJson: JSON.stringify({ id: itemId, ...json }), itemType: String(json['type']), startedAtMs: null, completedAtMs: null, ...extra };
}

/** A line at `ordinal`, bytes `[ordinal * 100, ordinal * 100 + 99)`, stamped `1000 + ordinal`. */
export function step(ordinal: number, turns: ProjectedTurnChange[] = [], items: ProjectedItemChange[] = [], extra: Partial<ProjectionStep> = {}): ProjectionStep {
  return { ordinal, startOffset: ordinal * 100, endOffset: ordinal * 100 + 99, fallbackCreatedAtMs: 1000 + ordinal, turns, items, ...extra };
}

/** Applies steps as one update continuing from the thread's checkpoint (or from the start). */
export function applySteps(store: ThreadHistoryStore, threadId: string, steps: ProjectionStep[], replace = false): boolean {
  const from = store.checkpoint(threadId) ?? { offset: 0, ordinal: 0 };
  const last = steps.at(-1);
  const to = last ? { offset: last.endOffset, ordinal: last.ordinal + 1 } : from;
  return store.apply(threadId, { from, to, steps, replace });
}
