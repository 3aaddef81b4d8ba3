import { readFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, test } from 'vitest';
import { evAssistantMessage, evCompleted, evCreated, evMessageAdded, evOutputTextDelta, evReasoning, httpResponse, sseResponse } from '../../src/testing/index.js';
import { request, runTurn, setupEnv, spawnServer, startThread, textInput, type Json } from './helpers.js';

/** Every line of a rollout with its ordinal and byte span, from the file's bytes. */
function rolloutSpans(file: string): { ordinal: number; start: number; end: number; line: Json }[] {
  const bytes = readFileSync(file);
  const out: { ordinal: number; start: number; end: number; line: Json }[] = [];
  for (let start = 0; start < bytes.length; ) {
    const end = bytes.indexOf(0x0a, start) + 1;
    const line = JSON.parse(bytes.subarray(start, end).toString('utf8')) as Json;
    out.push({ ordinal: line['ordinal'], start, end, line });
    start = end;
  }
  return out;
}

function historyDb(home: string): Database.Database {
  return new Database(path.join(home, 'thread_history_1.sqlite'), { readonly: true, fileMustExist: true });
}

describe('thread_history_1.sqlite follows the turns this server writes', () => {
  test('two completed turns, an interrupted one and a failed one: turn rows, item rows and the checkpoint', async () => {
    const { home } = await setupEnv([
      sseResponse([evCreated('r1'), ...evReasoning('rs_1', ['thinking']), ...evAssistantMessage('msg_1', 'first answer'), evCompleted('r1')]),
      sseResponse([evCreated('r2'), ...evAssistantMessage('msg_2', 'second answer'), evCompleted('r2')]),
      sseResponse([evCreated('r3'), evMessageAdded('msg_3'), evOutputTextDelta('msg_3', 'partial')], { keepOpen: true }),
      httpResponse(400, 'bad request body'),
    ]);
    const mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    const id: string = thread['id'];
    const ended: Json[] = [];
    const completedTurn = (messages: Awaited<ReturnType<typeof runTurn>>) => (messages.at(-1) as { params: Json }).params['turn'] as Json;
    ended.push(completedTurn(await runTurn(mcp, id, 'one')));
    ended.push(completedTurn(await runTurn(mcp, id, 'two')));
    // Third turn: interrupted while the model streams.
    const startId = await mcp.sendTurnStartRequest({ threadId: id, input: textInput('three') });
    const third = (await mcp.readStreamUntilResponseMessage<Json>(startId)).result['turn'];
    await mcp.readStreamUntilNotificationMessage('item/agentMessage/delta');
    await request(mcp, 'turn/interrupt', { threadId: id, turnId: third['id'] });
    ended.push((await mcp.readStreamUntilNotificationMessage<Json>('turn/completed')).params['turn']);
    ended.push(completedTurn(await runTurn(mcp, id, 'four')));
    expect(ended.map((t) => t['status'])).toEqual(['completed', 'completed', 'interrupted', 'failed']);

    // What the rows must say, derived from the rollout's bytes and our own thread/read.
    const spans = rolloutSpans(thread['path']);
    const event = (type: string, turnId: string) => spans.find((s) => s.line['type'] === 'event_msg' && s.line['payload']['type'] === type && s.line['payload']['turn_id'] === turnId);
    const read = (await request(mcp, 'thread/read', { threadId: id, includeTurns: true }))['thread'] as Json;
    const items = (read['turns'] as Json[]).flatMap((t) => (t['items'] as Json[]).map((item) => ({ turnId: t['id'] as string, item })));
    const expectedItems = spans
      .filter((s) => s.line['type'] === 'event_msg' && s.line['payload']['type'] === 'item_completed')
      .map((s) => {
        const p = s.line['payload'];
        const wire = items.find((i) => i.item['id'] === p['item']['id'])?.item as Json;
        const { startedAtMs: _s, completedAtMs: _c, ...stored } = wire;
        return {
          thread_id: id, turn_id: p['turn_id'], item_id: p['item']['id'], rollout_ordinal: s.ordinal, created_at_ms: p['started_at_ms'],
          item_json: JSON.stringify(stored), item_type: stored['type'], updated_at_ordinal: s.ordinal, started_at_ms: p['started_at_ms'], completed_at_ms: p['completed_at_ms'],
        };
      });
    expect(expectedItems.map((i) => i.item_type)).toEqual([
      'userMessage', 'reasoning', 'agentMessage', 'userMessage', 'agentMessage', 'userMessage', 'userMessage',
    ]);
    const terminal = ['task_complete', 'task_complete', 'turn_aborted', 'task_complete'];
    const expectedTurns = ended.map((t, i) => {
      const started = event('task_started', t['id']);
      const end = event(terminal[i] as string, t['id']);
      const own = expectedItems.filter((it) => it.turn_id === t['id']);
      return {
        thread_id: id, turn_id: t['id'], rollout_ordinal: started?.ordinal, status: t['status'],
        error_json: t['error'] === null ? null : JSON.stringify(t['error']),
        started_at: t['startedAt'], completed_at: t['completedAt'], duration_ms: t['durationMs'],
        first_user_item_id: own.find((it) => it.item_type === 'userMessage')?.item_id ?? null,
        // Only a turn that ended with an agent message has a final one (the interrupted turn's partial never completed).
        final_agent_item_id: own.filter((it) => it.item_type === 'agentMessage').at(-1)?.item_id ?? null,
        rollout_byte_offset: started?.start, rollout_end_ordinal: end?.ordinal, rollout_end_byte_offset: end?.end, root_turn_id: t['id'],
      };
    });
    const db = historyDb(home);
    try {
      expect(db.prepare('SELECT * FROM thread_turns WHERE thread_id = ? ORDER BY rollout_ordinal').all(id)).toEqual(expectedTurns);
      expect(db.prepare('SELECT * FROM thread_items WHERE thread_id = ? ORDER BY rollout_ordinal').all(id)).toEqual(expectedItems);
      const last = spans.at(-1)!;
      expect(db.prepare('SELECT * FROM thread_history_projection_state').all()).toEqual([
        { thread_id: id, next_rollout_byte_offset: last.end, next_rollout_ordinal: last.ordinal + 1 },
      ]);
    } finally {
      db.close();
    }
    // The failed turn is recorded as the reference records it: a task_complete carrying the error.
    expect(event('task_complete', ended[3]!['id'])?.line['payload']).toMatchObject({ last_agent_message: null, error: { message: 'bad request body', codex_error_info: 'other' } });
    expect(ended[3]!['error']).toEqual({ message: 'bad request body', codexErrorInfo: 'other', additionalDetails: null, misalignment: null });
  });

  test('a resumed thread whose projection is missing is projected when it is loaded, then kept current', async () => {
    const { home } = await setupEnv();
    let mcp = await spawnServer(home);
    const thread = await startThread(mcp);
    await runTurn(mcp, thread['id'], 'one');
    await runTurn(mcp, thread['id'], 'two');
    await mcp.close();
    const rows = (db: Database.Database) => ({
      turns: db.prepare('SELECT * FROM thread_turns ORDER BY rollout_ordinal').all(),
      items: db.prepare('SELECT * FROM thread_items ORDER BY rollout_ordinal').all(),
      state: db.prepare('SELECT * FROM thread_history_projection_state').all(),
    });
    const db = historyDb(home);
    const before = rows(db);
    db.close();
    expect(before.turns).toHaveLength(2);
    // Forget the projection, as for a rollout another writer appended to without projecting it.
    const rw = new Database(path.join(home, 'thread_history_1.sqlite'));
    rw.exec('DELETE FROM thread_turns; DELETE FROM thread_items; DELETE FROM thread_history_projection_state;');
    rw.close();

    mcp = await spawnServer(home);
    await request(mcp, 'thread/resume', { threadId: thread['id'] });
    const resumed = historyDb(home);
    expect(rows(resumed)).toEqual(before);
    resumed.close();
    await runTurn(mcp, thread['id'], 'three');
    const after = historyDb(home);
    try {
      const turns = after.prepare('SELECT rollout_ordinal, status FROM thread_turns ORDER BY rollout_ordinal').all();
      expect(turns).toEqual([{ rollout_ordinal: 1, status: 'completed' }, { rollout_ordinal: 14, status: 'completed' }, { rollout_ordinal: 23, status: 'completed' }]);
      const size = readFileSync(thread['path']).length;
      expect(after.prepare('SELECT next_rollout_byte_offset AS o, next_rollout_ordinal AS n FROM thread_history_projection_state').get()).toEqual({ o: size, n: 32 });
    } finally {
      after.close();
    }
  });
});
