import { describe, expect, test } from 'vitest';
import { ReadReceipts } from '../../../src/state/read-receipts.js';
import { SpawnEdges } from '../../../src/state/spawn-edges.js';
import { schemaDb } from './k-db.js';

function edgesDb() {
  const db = schemaDb();
  const edges = new SpawnEdges(db);
  const rows = () => db.prepare('SELECT parent_thread_id AS parent, child_thread_id AS child, status FROM thread_spawn_edges ORDER BY child_thread_id').all();
  return { db, edges, rows };
}

describe('SpawnEdges', () => {
  test('upsertEdge inserts and then moves the child to the new parent and status', () => {
    const { edges, rows } = edgesDb();
    edges.upsertEdge('p1', 'c1', 'open');
    expect(rows()).toEqual([{ parent: 'p1', child: 'c1', status: 'open' }]);
    edges.upsertEdge('p2', 'c1', 'closed');
    expect(rows()).toEqual([{ parent: 'p2', child: 'c1', status: 'closed' }]);
  });

  test('ensureEdge inserts a missing edge but never changes an existing one', () => {
    const { edges, rows } = edgesDb();
    edges.ensureEdge('p1', 'c1', 'open');
    expect(rows()).toEqual([{ parent: 'p1', child: 'c1', status: 'open' }]);
    edges.upsertEdge('p1', 'c1', 'closed');
    edges.ensureEdge('p9', 'c1', 'open');
    expect(rows()).toEqual([{ parent: 'p1', child: 'c1', status: 'closed' }]);
  });

  test('children are the direct children of any status, ids ascending; none is an empty list', () => {
    const { edges } = edgesDb();
    edges.upsertEdge('p', 'c3', 'open');
    edges.upsertEdge('p', 'c1', 'closed');
    edges.upsertEdge('p', 'c2', 'open');
    edges.upsertEdge('c1', 'g1', 'open');
    expect(edges.children('p')).toEqual(['c1', 'c2', 'c3']);
    expect(edges.children('nobody')).toEqual([]);
  });

  test('descendants sorts each depth as a whole, across parents, and never returns the root', () => {
    const { edges } = edgesDb();
    // Depth 1: b, a (inserted out of order). Depth 2: children of a and b interleaved by id.
    edges.upsertEdge('root', 'b', 'open');
    edges.upsertEdge('root', 'a', 'open');
    edges.upsertEdge('a', 'z2', 'open');
    edges.upsertEdge('a', 'x2', 'open');
    edges.upsertEdge('b', 'y2', 'open');
    edges.upsertEdge('b', 'w2', 'closed');
    edges.upsertEdge('z2', 'root', 'open'); // a cycle back to the root
    edges.upsertEdge('y2', 'q3', 'open');
    expect(edges.descendants('root')).toEqual(['a', 'b', 'w2', 'x2', 'y2', 'z2', 'q3']);
    expect(edges.descendants('q3')).toEqual([]);
  });
});

describe('ReadReceipts', () => {
  function receiptsDb() {
    const db = schemaDb();
    const receipts = new ReadReceipts(db);
    const rows = () => db.prepare('SELECT thread_id, first_unread_turn, revision, last_published_turn FROM thread_read_receipts').all();
    return { db, receipts, rows };
  }

  test('a thread without a receipt has none', () => {
    expect(receiptsDb().receipts.get('t')).toBeNull();
  });

  test('the first completed turn becomes first unread and last published', () => {
    const { receipts, rows } = receiptsDb();
    receipts.recordCompletedTurn('t', 'turn-1', 'rev-1');
    expect(receipts.get('t')).toEqual({ firstUnreadTurnId: 'turn-1', revision: 'rev-1' });
    expect(rows()).toEqual([{ thread_id: 't', first_unread_turn: 'turn-1', revision: 'rev-1', last_published_turn: 'turn-1' }]);
  });

  test('a later turn keeps the pending first unread and moves revision and last published', () => {
    const { receipts, rows } = receiptsDb();
    receipts.recordCompletedTurn('t', 'turn-1', 'rev-1');
    receipts.recordCompletedTurn('t', 'turn-2', 'rev-2');
    expect(rows()).toEqual([{ thread_id: 't', first_unread_turn: 'turn-1', revision: 'rev-2', last_published_turn: 'turn-2' }]);
  });

  test('once everything is read (first unread cleared), the next turn becomes first unread', () => {
    const { db, receipts } = receiptsDb();
    receipts.recordCompletedTurn('t', 'turn-1', 'rev-1');
    db.prepare('UPDATE thread_read_receipts SET first_unread_turn = NULL').run();
    expect(receipts.get('t')).toEqual({ firstUnreadTurnId: null, revision: 'rev-1' });
    receipts.recordCompletedTurn('t', 'turn-3', 'rev-3');
    expect(receipts.get('t')).toEqual({ firstUnreadTurnId: 'turn-3', revision: 'rev-3' });
    expect(receipts.get('other')).toBeNull();
  });
});
