import { describe, expect, test } from 'vitest';
import { BackfillLease } from '../../../src/state/lease.js';
import { manualClock, schemaDb } from './k-db.js';

const T0 = 1_700_000_000_500; // ms; 1_700_000_000 s

function setup(startMs = T0) {
  const db = schemaDb();
  db.exec('DELETE FROM backfill_state');
  const clock = manualClock(startMs);
  const lease = new BackfillLease(db, clock);
  const row = () => db.prepare('SELECT id, status, last_watermark, last_success_at, updated_at FROM backfill_state').all();
  return { db, clock, lease, row };
}

describe('BackfillLease', () => {
  test('read creates the pending row with the current second', () => {
    const { lease, row } = setup();
    expect(lease.read()).toEqual({ status: 'pending', lastWatermark: null, lastSuccessAt: null, updatedAt: 1_700_000_000 });
    expect(row()).toEqual([{ id: 1, status: 'pending', last_watermark: null, last_success_at: null, updated_at: 1_700_000_000 }]);
  });

  test('read leaves an existing row as it is', () => {
    const { db, lease } = setup();
    db.prepare("INSERT INTO backfill_state VALUES (1, 'running', 'sessions/a', 5, 7)").run();
    expect(lease.read()).toEqual({ status: 'running', lastWatermark: 'sessions/a', lastSuccessAt: 5, updatedAt: 7 });
  });

  test('a status this version does not know reads as pending and can be claimed', () => {
    const { db, lease, row } = setup();
    db.prepare("INSERT INTO backfill_state VALUES (1, 'paused', NULL, NULL, 7)").run();
    expect(lease.read().status).toBe('pending');
    expect(lease.tryClaim(900)).toBe('claimed');
    expect(row()).toEqual([{ id: 1, status: 'running', last_watermark: null, last_success_at: null, updated_at: 1_700_000_000 }]);
  });

  test('claim: a pending row is claimed once, then held by the live worker', () => {
    const { lease, row, clock } = setup();
    expect(lease.tryClaim(900)).toBe('claimed');
    expect(row()).toEqual([{ id: 1, status: 'running', last_watermark: null, last_success_at: null, updated_at: 1_700_000_000 }]);
    clock.set(T0 + 10_000);
    expect(lease.tryClaim(900)).toBe('held');
    // A refused claim does not renew the lease.
    expect(lease.read().updatedAt).toBe(1_700_000_000);
  });

  test('claim: a running lease is stale exactly leaseSeconds after its last update, not before', () => {
    const { lease, clock } = setup();
    expect(lease.tryClaim(60)).toBe('claimed');
    clock.set(T0 + 59_000);
    expect(lease.tryClaim(60)).toBe('held');
    clock.set(T0 + 60_000);
    expect(lease.tryClaim(60)).toBe('claimed');
    expect(lease.read().updatedAt).toBe(1_700_000_060);
  });

  test('claim: a negative lease counts as zero (a running claim of this second is stale, one in the future is not)', () => {
    const { db, lease } = setup();
    db.prepare("INSERT INTO backfill_state VALUES (1, 'running', NULL, NULL, ?)").run(1_700_000_001);
    expect(lease.tryClaim(-5)).toBe('held');
    db.prepare('UPDATE backfill_state SET updated_at = ?').run(1_700_000_000);
    expect(lease.tryClaim(-5)).toBe('claimed');
  });

  test('claim: complete is done and stays complete', () => {
    const { lease, row } = setup();
    lease.markComplete('sessions/x');
    expect(lease.tryClaim(0)).toBe('done');
    expect(row()).toEqual([{ id: 1, status: 'complete', last_watermark: 'sessions/x', last_success_at: 1_700_000_000, updated_at: 1_700_000_000 }]);
  });

  test('checkpoint records the watermark and renews the lease', () => {
    const { lease, clock } = setup();
    expect(lease.tryClaim(900)).toBe('claimed');
    clock.set(T0 + 5_000);
    lease.checkpoint('sessions/2026/01/01/rollout-a.jsonl');
    expect(lease.read()).toEqual({
      status: 'running', lastWatermark: 'sessions/2026/01/01/rollout-a.jsonl', lastSuccessAt: null, updatedAt: 1_700_000_005,
    });
  });

  test('markComplete keeps the last watermark when given none and creates a missing row', () => {
    const { lease, clock, row } = setup();
    lease.tryClaim(900);
    lease.checkpoint('sessions/b');
    clock.set(T0 + 2_000);
    lease.markComplete(null);
    expect(row()).toEqual([{ id: 1, status: 'complete', last_watermark: 'sessions/b', last_success_at: 1_700_000_002, updated_at: 1_700_000_002 }]);

    const fresh = setup(T0 + 3_000);
    fresh.lease.markComplete(null);
    expect(fresh.row()).toEqual([{ id: 1, status: 'complete', last_watermark: null, last_success_at: 1_700_000_003, updated_at: 1_700_000_003 }]);
  });

  test('releaseClaim gives a running claim back as pending and keeps progress', () => {
    const { lease, clock } = setup();
    lease.tryClaim(900);
    lease.checkpoint('sessions/c');
    clock.set(T0 + 9_000);
    lease.releaseClaim();
    expect(lease.read()).toEqual({ status: 'pending', lastWatermark: 'sessions/c', lastSuccessAt: null, updatedAt: 1_700_000_009 });
    // Released, it can be claimed again at once, well inside the lease.
    expect(lease.tryClaim(900)).toBe('claimed');
  });

  test('releaseClaim does not touch a complete row', () => {
    const { lease, clock } = setup();
    lease.markComplete('sessions/d');
    clock.set(T0 + 9_000);
    lease.releaseClaim();
    expect(lease.read()).toEqual({ status: 'complete', lastWatermark: 'sessions/d', lastSuccessAt: 1_700_000_000, updatedAt: 1_700_000_000 });
  });

  test('releaseClaim is best effort: a failing database does not throw', () => {
    const { db, lease } = setup();
    lease.tryClaim(900);
    db.close();
    expect(() => lease.releaseClaim()).not.toThrow();
  });

  test('a row that cannot be created is reported, not read as undefined', () => {
    const { db, lease } = setup();
    db.exec('CREATE TRIGGER keep_empty BEFORE INSERT ON backfill_state BEGIN SELECT RAISE(IGNORE); END');
    expect(() => lease.read()).toThrow('backfill_state row is missing');
    expect(() => lease.tryClaim(900)).toThrow('backfill_state row is missing');
  });

});
