/** `HistoryPages` (src/state/history-pages.ts): turn and item pages by rollout ordinal, anchors, directions, limits. */
import { describe, expect, test } from 'vitest';
import type { PageRequest } from '../../../src/state/history-pages.js';
import { applySteps, historyStore, item, step, turn, type HistoryHarness } from './s-history-harness.js';

const T = 'thread-1';

/** Turns t1 (ordinals 0–4) and t2 (5–8) of T, a turn of another thread; items at 1, 2, 3 (t1) and 6, 7 (t2). */
async function projected(): Promise<HistoryHarness> {
  const h = await historyStore();
  applySteps(h.store, T, [
    step(0, [turn('t1', 'inProgress', { rootTurnId: 'r1', startedAt: 10 })]),
    step(1, [], [item('t1', 'u1', { type: 'userMessage' }, { startedAtMs: 11, completedAtMs: 12 })]),
    step(2, [], [item('t1', 'a1', { type: 'agentMessage', phase: 'final_answer' })]),
    step(3, [], [item('t1', 'c1', { type: 'commandExecution' })]),
    step(4, [turn('t1', 'completed', { startedAt: 10, completedAt: 20, durationMs: 10_000 })]),
    step(5, [turn('t2', 'inProgress')]),
    step(6, [], [item('t2', 'u2', { type: 'userMessage' })]),
    step(7, [], [item('t2', 'a2', { type: 'agentMessage' })]),
    step(8, [turn('t2', 'failed', { errorJson: '{"message":"x"}' })]),
  ]);
  applySteps(h.store, 'other', [step(0, [turn('o1', 'inProgress')], [item('o1', 'ou', { type: 'userMessage' })])]);
  return h;
}

const page = (anchor: number | null, direction: 'asc' | 'desc', includeAnchor = false, limit = 10): PageRequest => ({ anchor, includeAnchor, direction, limit });

describe('turns', () => {
  test('rows carry every column the pages need', async () => {
    const h = await projected();
    expect(h.store.pages.turns(T, page(null, 'asc'))).toEqual([
      { turnId: 't1', ordinal: 0, status: 'completed', errorJson: null, startedAt: 10, completedAt: 20, durationMs: 10_000, firstUserItemId: 'u1', finalAgentItemId: 'a1', rootTurnId: 'r1' },
      { turnId: 't2', ordinal: 5, status: 'failed', errorJson: '{"message":"x"}', startedAt: null, completedAt: null, durationMs: null, firstUserItemId: 'u2', finalAgentItemId: 'a2', rootTurnId: null },
    ]);
  });

  test('direction, anchor (included or not) and limit + 1 rows', async () => {
    const h = await projected();
    const ids = (p: PageRequest, threadId = T) => h.store.pages.turns(threadId, p).map((t) => t.turnId);
    expect(ids(page(null, 'desc'))).toEqual(['t2', 't1']);
    expect(ids(page(null, 'asc', false, 0))).toEqual(['t1']);
    expect(ids(page(null, 'desc', false, 0))).toEqual(['t2']);
    expect(ids(page(5, 'asc', true))).toEqual(['t2']);
    expect(ids(page(5, 'asc', false))).toEqual([]);
    expect(ids(page(0, 'asc', false))).toEqual(['t2']);
    expect(ids(page(0, 'asc', true))).toEqual(['t1', 't2']);
    expect(ids(page(5, 'desc', true))).toEqual(['t2', 't1']);
    expect(ids(page(5, 'desc', false))).toEqual(['t1']);
    expect(ids(page(0, 'desc', false))).toEqual([]);
    expect(ids(page(4, 'desc', false))).toEqual(['t1']);
    expect(ids(page(null, 'asc'), 'other')).toEqual(['o1']);
    expect(ids(page(null, 'asc'), 'nobody')).toEqual([]);
  });
});

describe('items', () => {
  test('rows carry every column; the whole thread or one turn', async () => {
    const h = await projected();
    const all = h.store.pages.items(T, null, page(null, 'asc'));
    expect(all[0]).toEqual({ turnId: 't1', itemId: 'u1', ordinal: 1, itemJson: '{"id":"u1","type":"userMessage"}', startedAtMs: 11, completedAtMs: 12 });
    expect(all.map((i) => i.itemId)).toEqual(['u1', 'a1', 'c1', 'u2', 'a2']);
    expect(h.store.pages.items(T, 't2', page(null, 'asc')).map((i) => i.itemId)).toEqual(['u2', 'a2']);
    expect(h.store.pages.items(T, 't1', page(null, 'desc')).map((i) => i.itemId)).toEqual(['c1', 'a1', 'u1']);
    expect(h.store.pages.items(T, 'none', page(null, 'asc'))).toEqual([]);
  });

  test('anchors, directions and limits, within a turn too', async () => {
    const h = await projected();
    const ids = (turnId: string | null, p: PageRequest) => h.store.pages.items(T, turnId, p).map((i) => i.itemId);
    expect(ids(null, page(2, 'asc', false, 1))).toEqual(['c1', 'u2']);
    expect(ids(null, page(2, 'asc', true, 1))).toEqual(['a1', 'c1']);
    expect(ids(null, page(6, 'desc', false, 1))).toEqual(['c1', 'a1']);
    expect(ids(null, page(6, 'desc', true, 1))).toEqual(['u2', 'c1']);
    expect(ids('t1', page(2, 'asc', false))).toEqual(['c1']);
    expect(ids('t2', page(6, 'desc', true))).toEqual(['u2']);
    expect(ids('t1', page(null, 'asc', false, 1))).toEqual(['u1', 'a1']);
  });

  test('turnItems: every item of one turn in rollout order', async () => {
    const h = await projected();
    expect(h.store.pages.turnItems(T, 't1').map((i) => [i.itemId, i.ordinal])).toEqual([['u1', 1], ['a1', 2], ['c1', 3]]);
    expect(h.store.pages.turnItems(T, 't2').map((i) => i.itemId)).toEqual(['u2', 'a2']);
    expect(h.store.pages.turnItems('other', 't1')).toEqual([]);
  });
});

describe('lastOrdinals and isProjected', () => {
  test('the last turn and item ordinals, null when none; projected once a checkpoint exists', async () => {
    const h = await projected();
    expect(h.store.pages.lastOrdinals(T)).toEqual({ turn: 5, item: 7 });
    expect(h.store.pages.lastOrdinals('other')).toEqual({ turn: 0, item: 0 });
    expect(h.store.pages.lastOrdinals('nobody')).toEqual({ turn: null, item: null });
    expect(h.store.pages.isProjected(T)).toBe(true);
    expect(h.store.pages.isProjected('nobody')).toBe(false);
    // A thread projected with no turn yet.
    applySteps(h.store, 'empty', [step(0)]);
    expect(h.store.pages.isProjected('empty')).toBe(true);
    expect(h.store.pages.lastOrdinals('empty')).toEqual({ turn: null, item: null });
    // Repeated reads answer the same (statements are reused).
    expect(h.store.pages.lastOrdinals(T)).toEqual({ turn: 5, item: 7 });
  });
});
