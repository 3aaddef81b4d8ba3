import type Database from 'better-sqlite3';
import { prepareOnUse, type Prepared } from './prepared.js';

/** A thread's stored read receipt (SPEC §3 Read state). */
export interface ReadReceipt {
  /** First completed turn not yet marked read; null once everything is read. */
  firstUnreadTurnId: string | null;
  /** Changes whenever the receipt changes (a random UUIDv4 in the reference). */
  revision: string;
}

/**
 * `thread_read_receipts`. After each completed turn the thread keeps a receipt whose `first_unread_turn` is
 * the earliest completed turn not yet read (unchanged while one is pending) and whose `last_published_turn`
 * is the latest completed turn, as the reference's rows show.
 */
export class ReadReceipts {
  private readonly select: Prepared<[string], { first_unread_turn: string | null; revision: string }>;
  private readonly selectMany: Prepared<[string], { thread_id: string; first_unread_turn: string | null; revision: string }>;
  private readonly upsertCompleted: Prepared<[string, string, string, string]>;

  constructor(db: Database.Database) {
    this.select = prepareOnUse(db, 'SELECT first_unread_turn, revision FROM thread_read_receipts WHERE thread_id = ?');
    this.selectMany = prepareOnUse(db, 'SELECT thread_id, first_unread_turn, revision FROM thread_read_receipts WHERE thread_id IN (SELECT value FROM json_each(?))');
    this.upsertCompleted = prepareOnUse(db, `
      INSERT INTO thread_read_receipts (thread_id, first_unread_turn, revision, last_published_turn)
      VALUES (?, ?, ?, ?)
      ON CONFLICT(thread_id) DO UPDATE SET
        first_unread_turn = COALESCE(thread_read_receipts.first_unread_turn, excluded.first_unread_turn),
        revision = excluded.revision,
        last_published_turn = excluded.last_published_turn`);
  }

  /** The receipt, or null when the thread has none (the caller then reports `initial:<threadId>`). */
  get(threadId: string): ReadReceipt | null {
    const row = this.select.get(threadId);
    return row ? { firstUnreadTurnId: row.first_unread_turn, revision: row.revision } : null;
  }

  /** `get` of each thread in one statement (ids bound as a JSON array); threads without a receipt are absent. */
  getMany(threadIds: readonly string[]): Map<string, ReadReceipt> {
    const receipts = new Map<string, ReadReceipt>();
    if (threadIds.length === 0) return receipts;
    for (const row of this.selectMany.all(JSON.stringify(threadIds))) {
      receipts.set(row.thread_id, { firstUnreadTurnId: row.first_unread_turn, revision: row.revision });
    }
    return receipts;
  }

  recordCompletedTurn(threadId: string, turnId: string, revision: string): void {
    this.upsertCompleted.run(threadId, turnId, revision, turnId);
  }
}
