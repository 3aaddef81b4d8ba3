import { describe, expect, test } from 'vitest';
import { attachedImmediateTransaction } from '../../../src/state/attached-transaction.js';
import { emptyDb } from './k-db.js';

function tableDb() {
  const db = emptyDb();
  db.exec('CREATE TABLE t (v INTEGER)');
  return db;
}
const values = (db: ReturnType<typeof emptyDb>): number[] => db.prepare<[], { v: number }>('SELECT v FROM t ORDER BY v').all().map((r) => r.v);

describe('attachedImmediateTransaction', () => {
  test('passes the arguments, returns the body result and commits', () => {
    const db = tableDb();
    const tx = attachedImmediateTransaction(db, (a: number, b: number) => {
      expect(db.inTransaction).toBe(true);
      db.prepare('INSERT INTO t (v) VALUES (?), (?)').run(a, b);
      return a + b;
    });
    expect(tx(1, 2)).toBe(3);
    expect(db.inTransaction).toBe(false);
    expect(values(db)).toEqual([1, 2]);
  });

  test('a throwing body rolls its writes back and the error reaches the caller', () => {
    const db = tableDb();
    const tx = attachedImmediateTransaction(db, () => {
      db.prepare('INSERT INTO t (v) VALUES (1)').run();
      throw new Error('body failed');
    });
    expect(() => tx()).toThrow('body failed');
    expect(db.inTransaction).toBe(false);
    expect(values(db)).toEqual([]);
  });

  test('a body that already ended the transaction keeps its own error (no second ROLLBACK)', () => {
    const db = tableDb();
    const tx = attachedImmediateTransaction(db, () => {
      db.exec('ROLLBACK');
      throw new Error('after rollback');
    });
    expect(() => tx()).toThrow('after rollback');
    expect(db.inTransaction).toBe(false);
  });

  test("inside a caller's transaction the body joins it: the caller's rollback undoes it", () => {
    const db = tableDb();
    const inner = attachedImmediateTransaction(db, (v: number) => {
      db.prepare('INSERT INTO t (v) VALUES (?)').run(v);
      return v;
    });
    db.exec('BEGIN');
    expect(inner(5)).toBe(5);
    expect(db.inTransaction).toBe(true);
    db.exec('ROLLBACK');
    expect(values(db)).toEqual([]);
  });

});
