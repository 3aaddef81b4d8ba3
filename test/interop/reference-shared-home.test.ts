/**
 * Shared CODEX_HOME with the reference Codex app-server 0.169.0 binary (skipped when it is absent):
 *   1. the reference on a home our server created and used;
 *   2. our server on a home the reference created and used (its state_5.sqlite kept intact);
 *   3. alternating starts ours, reference, ours, reference on one home lose no thread and no turn.
 * Every process must exit 0 and log no database or migration problem on stderr.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MockResponsesServer } from '../../src/testing/index.js';
import { createInteropMock, FAIL_MARKER, HANG_MARKER } from './mock-model.js';
import {
  databaseErrorLines,
  listAll,
  ensureReference,
  rolloutParseWarnings,
  startSide,
  turnTexts,
  withSide,
  writeSharedConfig,
  type Json,
  type Session,
  type Side,
} from './servers.js';
import { unavailable } from '../support/unprivileged.js';
import { INSTALL_HOOK_TIMEOUT_MS, makeInteropHome, ourServerMissing } from './tools.js';

let skipReason: string | null = 'not resolved yet';
let mock: MockResponsesServer;
const cleanups: (() => void)[] = [];

beforeAll(async () => {
  skipReason = ourServerMissing() ?? ((await ensureReference()).reason || null);
  if (skipReason) console.warn(`[interop] shared-home tests with the reference skipped: ${skipReason}`);
  mock = await createInteropMock('Done');
}, INSTALL_HOOK_TIMEOUT_MS);
afterAll(async () => {
  for (const c of cleanups.splice(0)) c();
  await mock?.close();
});

function newHome(prefix: string): { codexHome: string; home: string } {
  const dirs = makeInteropHome(prefix);
  cleanups.push(dirs.cleanup);
  return dirs;
}

/** Runs one process of `side` and checks its exit code and stderr (`checkStderr` may look further). */
async function run<T>(side: Side, dirs: { codexHome: string; home: string }, fn: (s: Session) => Promise<T>, checkStderr?: (stderr: string) => void): Promise<T> {
  const out = await withSide(side, dirs, mock, fn);
  checkStderr?.(out.stderr);
  // Exit 0, no database/migration complaint, and every rollout line the other side wrote was understood.
  expect({ side, exitCode: out.exitCode, dbErrors: out.dbErrors, rolloutWarnings: out.rolloutWarnings }).toEqual({
    side,
    exitCode: 0,
    dbErrors: [],
    rolloutWarnings: [],
  });
  return out.value;
}

interface DbSnapshot {
  migrations: { version: number; description: string; success: number; checksum: string }[];
  integrity: string;
  backfill: Json | undefined;
  threads: Json[];
}

/** Reads state_5.sqlite (read-only) between runs. */
function snapshot(codexHome: string): DbSnapshot {
  const db = new Database(path.join(codexHome, 'state_5.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return {
      migrations: db
        .prepare('SELECT version, description, success, hex(checksum) AS checksum FROM _sqlx_migrations ORDER BY version')
        .all() as DbSnapshot['migrations'],
      integrity: String(db.pragma('integrity_check', { simple: true })),
      backfill: db.prepare('SELECT status, last_watermark FROM backfill_state WHERE id = 1').get() as Json | undefined,
      threads: db.prepare('SELECT id, archived, name, tokens_used, rollout_path FROM threads ORDER BY id').all() as Json[],
    };
  } finally {
    db.close();
  }
}

/** The `thread_history_1.sqlite` rows of some threads: turns and items, and their checkpoints. */
function historyRows(codexHome: string, threadIds: string[]): { rows: { turns: Json[]; items: Json[] }; checkpoints: Json[] } {
  const db = new Database(path.join(codexHome, 'thread_history_1.sqlite'), { readonly: true, fileMustExist: true });
  try {
    const of = (sql: string) => threadIds.flatMap((id) => db.prepare(sql).all(id) as Json[]);
    return {
      rows: {
        turns: of('SELECT * FROM thread_turns WHERE thread_id = ? ORDER BY rollout_ordinal'),
        items: of('SELECT * FROM thread_items WHERE thread_id = ? ORDER BY rollout_ordinal'),
      },
      checkpoints: of('SELECT * FROM thread_history_projection_state WHERE thread_id = ?'),
    };
  } finally {
    db.close();
  }
}

/** Forgets the projection of some threads (as if it had never been made). */
function dropHistory(codexHome: string, threadIds: string[]): void {
  const db = new Database(path.join(codexHome, 'thread_history_1.sqlite'), { fileMustExist: true });
  try {
    for (const id of threadIds) {
      for (const table of ['thread_items', 'thread_turns', 'thread_history_projection_state']) db.prepare(`DELETE FROM ${table} WHERE thread_id = ?`).run(id);
    }
  } finally {
    db.close();
  }
}

/** Every rollout line of a thread (active or archived), parsed. */
function rolloutLines(codexHome: string, threadId: string): Json[] {
  const files = [
    ...(existsSync(path.join(codexHome, 'sessions')) ? readdirSync(path.join(codexHome, 'sessions'), { recursive: true, encoding: 'utf8' }).map((f) => path.join(codexHome, 'sessions', f)) : []),
    ...(existsSync(path.join(codexHome, 'archived_sessions')) ? readdirSync(path.join(codexHome, 'archived_sessions')).map((f) => path.join(codexHome, 'archived_sessions', f)) : []),
  ].filter((f) => f.endsWith(`${threadId}.jsonl`));
  expect(files, `exactly one rollout for ${threadId}`).toHaveLength(1);
  return readFileSync(files[0]!, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Json);
}

/** Rollout invariants both sides rely on: one session_meta first, ordinals 0..n-1, one task_started/task_complete per completed turn. */
function checkRollout(codexHome: string, threadId: string, turns: number): void {
  const lines = rolloutLines(codexHome, threadId);
  expect(lines[0]!['type']).toBe('session_meta');
  expect(lines.filter((l) => l['type'] === 'session_meta')).toHaveLength(1);
  expect(lines.map((l) => l['ordinal'])).toEqual(lines.map((_, i) => i));
  const kinds = lines.map((l) => (l['type'] === 'event_msg' ? `event_msg/${l['payload']['type']}` : l['type']));
  expect(kinds.filter((k) => k === 'event_msg/task_started')).toHaveLength(turns);
  expect(kinds.filter((k) => k === 'event_msg/task_complete')).toHaveLength(turns);
}

async function startThread(s: Session): Promise<Json> {
  return (await s.req('thread/start', {}))['thread'] as Json;
}

describe('shared CODEX_HOME with the reference binary', () => {
  test('1. the reference lists, reads, resumes and continues threads our server wrote (and their state DB)', async (ctx) => {
    if (skipReason) return unavailable(ctx, skipReason);
    const dirs = newHome('shared-ours-first');
    await writeSharedConfig(dirs.codexHome, mock);
    const ours = await run('ours', dirs, async (s) => {
      const a = await startThread(s);
      await s.turn(a['id'], 'hello');
      await s.turn(a['id'], 'again');
      const b = await startThread(s);
      await s.turn(b['id'], 'hello b');
      await s.req('thread/name/set', { threadId: b['id'], name: 'Named by ours' });
      const c = await startThread(s);
      await s.turn(c['id'], 'to archive');
      await s.req('thread/archive', { threadId: c['id'] });
      const d = await startThread(s); // never materialised
      return { a: String(a['id']), b: String(b['id']), c: String(c['id']), d: String(d['id']) };
    });
    const before = snapshot(dirs.codexHome);
    expect(before.integrity).toBe('ok');
    expect(before.backfill?.['status']).toBe('complete');

    await run('reference', dirs, async (s) => {
      const listed = await listAll(s);
      expect(listed.map((t) => t['id']).sort()).toEqual([ours.a, ours.b].sort());
      const byId = new Map(listed.map((t) => [t['id'], t]));
      expect(byId.get(ours.a)).toMatchObject({ preview: 'hello', name: null, model: 'mock-model', modelProvider: 'mock_provider', cliVersion: '0.169.0', originator: 'interop_ours', source: 'vscode', status: { type: 'notLoaded' } });
      expect(byId.get(ours.b)).toMatchObject({ preview: 'hello b', name: 'Named by ours' });
      const archived = await listAll(s, { archived: true });
      expect(archived.map((t) => t['id'])).toEqual([ours.c]);
      expect((await s.req('thread/read', { threadId: ours.a }))['thread']).toMatchObject({ id: ours.a, preview: 'hello', status: { type: 'notLoaded' } });
      const resumed = await s.req('thread/resume', { threadId: ours.a });
      expect(resumed['thread']['status']).toEqual({ type: 'idle' });
      expect(turnTexts(resumed['thread'])).toEqual(['hello', 'again']);
      const done = await s.turn(ours.a, 'from reference');
      expect(done['turn']['status']).toBe('completed');
      expect(done['turn']['items'].map((i: Json) => i['text'])).toEqual(['Done']);
      const unarchived = await s.req('thread/unarchive', { threadId: ours.c });
      expect(unarchived['thread']).toMatchObject({ id: ours.c, preview: 'to archive' });
      expect((await s.reqError('thread/resume', { threadId: ours.d }))['message']).toBe(`no rollout found for thread id ${ours.d}`);
    });
    const after = snapshot(dirs.codexHome);
    // The reference needed no migration on the database we created, and left it sound.
    expect(after.migrations).toEqual(before.migrations);
    expect(after.integrity).toBe('ok');

    await run('ours', dirs, async (s) => {
      const read = await s.req('thread/read', { threadId: ours.a, includeTurns: true });
      expect(turnTexts(read['thread'])).toEqual(['hello', 'again', 'from reference']);
      expect((await listAll(s)).map((t) => t['id']).sort()).toEqual([ours.a, ours.b, ours.c].sort());
      await s.req('thread/resume', { threadId: ours.a });
      expect((await s.turn(ours.a, 'ours again'))['turn']['status']).toBe('completed');
    });
    checkRollout(dirs.codexHome, ours.a, 4);
    checkRollout(dirs.codexHome, ours.c, 1);
  }, 120_000);

  test('2. our server lists, reads, resumes, archives and unarchives the reference threads; its state DB stays intact', async (ctx) => {
    if (skipReason) return unavailable(ctx, skipReason);
    const dirs = newHome('shared-reference-first');
    await writeSharedConfig(dirs.codexHome, mock);
    const ref = await run('reference', dirs, async (s) => {
      const a = await startThread(s);
      await s.turn(a['id'], 'hello');
      await s.turn(a['id'], 'again');
      const b = await startThread(s);
      await s.turn(b['id'], 'hello b');
      await s.req('thread/name/set', { threadId: b['id'], name: 'Named by reference' });
      const c = await startThread(s);
      await s.turn(c['id'], 'to archive');
      await s.req('thread/archive', { threadId: c['id'] });
      return { a: String(a['id']), b: String(b['id']), c: String(c['id']) };
    });
    const before = snapshot(dirs.codexHome);
    expect(before.integrity).toBe('ok');
    expect(before.migrations.length).toBeGreaterThan(0);

    await run('ours', dirs, async (s) => {
      const listed = await listAll(s);
      expect(listed.map((t) => t['id']).sort()).toEqual([ref.a, ref.b].sort());
      const byId = new Map(listed.map((t) => [t['id'], t]));
      expect(byId.get(ref.a)).toMatchObject({ preview: 'hello', model: 'mock-model', originator: 'interop_reference', source: 'vscode' });
      expect(byId.get(ref.b)).toMatchObject({ preview: 'hello b', name: 'Named by reference' });
      expect((await listAll(s, { archived: true })).map((t) => t['id'])).toEqual([ref.c]);
      expect((await listAll(s, { useStateDbOnly: true })).map((t) => t['id']).sort()).toEqual([ref.a, ref.b].sort());
      const read = await s.req('thread/read', { threadId: ref.a, includeTurns: true });
      expect(turnTexts(read['thread'])).toEqual(['hello', 'again']);
      const resumed = await s.req('thread/resume', { threadId: ref.a });
      expect(turnTexts(resumed['thread'])).toEqual(['hello', 'again']);
      expect((await s.turn(ref.a, 'from ours'))['turn']['status']).toBe('completed');
      await s.req('thread/archive', { threadId: ref.b });
      expect((await s.req('thread/unarchive', { threadId: ref.c }))['thread']).toMatchObject({ id: ref.c, preview: 'to archive' });
    });
    const after = snapshot(dirs.codexHome);
    expect(after.migrations).toEqual(before.migrations);
    expect(after.integrity).toBe('ok');
    expect(after.backfill).toEqual(before.backfill);
    const rows = new Map(after.threads.map((t) => [t['id'], t]));
    expect(rows.get(ref.a)).toMatchObject({ archived: 0, tokens_used: 315 });
    expect(rows.get(ref.b)).toMatchObject({ archived: 1, name: 'Named by reference' });
    expect(rows.get(ref.c)).toMatchObject({ archived: 0 });

    await run('reference', dirs, async (s) => {
      expect((await listAll(s)).map((t) => t['id']).sort()).toEqual([ref.a, ref.c].sort());
      expect((await listAll(s, { archived: true })).map((t) => t['id'])).toEqual([ref.b]);
      const resumed = await s.req('thread/resume', { threadId: ref.a });
      expect(turnTexts(resumed['thread'])).toEqual(['hello', 'again', 'from ours']);
      expect((await s.turn(ref.a, 'reference again'))['turn']['status']).toBe('completed');
      await s.req('thread/resume', { threadId: ref.c });
      expect((await s.turn(ref.c, 'after unarchive'))['turn']['status']).toBe('completed');
    });
    expect(snapshot(dirs.codexHome).migrations).toEqual(before.migrations);
    checkRollout(dirs.codexHome, ref.a, 4);
    checkRollout(dirs.codexHome, ref.b, 1);
    checkRollout(dirs.codexHome, ref.c, 2);
  }, 120_000);

  test('2b. without its state DB, our server backfills the reference threads into a state_5.sqlite the reference then uses', async (ctx) => {
    if (skipReason) return unavailable(ctx, skipReason);
    const dirs = newHome('shared-backfill');
    await writeSharedConfig(dirs.codexHome, mock);
    const ref = await run('reference', dirs, async (s) => {
      const a = await startThread(s);
      await s.turn(a['id'], 'hello');
      const b = await startThread(s);
      await s.turn(b['id'], 'hello b');
      await s.req('thread/name/set', { threadId: b['id'], name: 'Named by reference' });
      const c = await startThread(s);
      await s.turn(c['id'], 'to archive');
      await s.req('thread/archive', { threadId: c['id'] });
      return { a: String(a['id']), b: String(b['id']), c: String(c['id']) };
    });
    const referenceMigrations = snapshot(dirs.codexHome).migrations;
    for (const f of readdirSync(dirs.codexHome)) if (f.startsWith('state_5.sqlite')) rmSync(path.join(dirs.codexHome, f));

    await run('ours', dirs, async (s) => {
      const listed = await listAll(s, { useStateDbOnly: true });
      expect(listed.map((t) => t['id']).sort()).toEqual([ref.a, ref.b].sort());
      expect(listed.find((t) => t['id'] === ref.b)).toMatchObject({ name: 'Named by reference', preview: 'hello b' });
      expect((await listAll(s, { archived: true, useStateDbOnly: true })).map((t) => t['id'])).toEqual([ref.c]);
    });
    const ours = snapshot(dirs.codexHome);
    expect(ours.integrity).toBe('ok');
    expect(ours.backfill?.['status']).toBe('complete');
    // The database we created carries exactly the reference's migration rows (checksums included).
    expect(ours.migrations).toEqual(referenceMigrations);
    expect(new Map(ours.threads.map((t) => [t['id'], t['archived']]))).toEqual(new Map([[ref.a, 0], [ref.b, 0], [ref.c, 1]]));

    await run('reference', dirs, async (s) => {
      expect((await listAll(s, { useStateDbOnly: true })).map((t) => t['id']).sort()).toEqual([ref.a, ref.b].sort());
      expect((await listAll(s, { archived: true })).map((t) => t['id'])).toEqual([ref.c]);
      const resumed = await s.req('thread/resume', { threadId: ref.a });
      expect(turnTexts(resumed['thread'])).toEqual(['hello']);
      expect((await s.turn(ref.a, 'after backfill'))['turn']['status']).toBe('completed');
    });
    expect(snapshot(dirs.codexHome).migrations).toEqual(referenceMigrations);
  }, 120_000);

  test('3. alternating starts ours, reference, ours, reference lose no thread and no turn', async (ctx) => {
    if (skipReason) return unavailable(ctx, skipReason);
    const dirs = newHome('shared-alternating');
    await writeSharedConfig(dirs.codexHome, mock);
    const expected = new Map<string, string[]>();
    const names = new Map<string, string>();
    let migrations: DbSnapshot['migrations'] | null = null;
    const order: Side[] = ['ours', 'reference', 'ours', 'reference'];
    for (const [round, side] of order.entries()) {
      await run(side, dirs, async (s) => {
        // Everything written so far is visible, complete and in order.
        const listed = await listAll(s);
        expect(listed.map((t) => t['id']).sort()).toEqual([...expected.keys()].sort());
        for (const t of listed) expect(t['name']).toBe(names.get(t['id']) ?? null);
        for (const [id, texts] of expected) {
          const resumed = await s.req('thread/resume', { threadId: id });
          expect({ round, side, id, turns: turnTexts(resumed['thread']) }).toEqual({ round, side, id, turns: texts });
          const text = `round ${round} by ${side}`;
          expect((await s.turn(id, text))['turn']['status']).toBe('completed');
          texts.push(text);
        }
        const fresh = await startThread(s);
        const text = `new in round ${round} by ${side}`;
        await s.turn(fresh['id'], text);
        expected.set(fresh['id'], [text]);
        const name = `thread of round ${round}`;
        await s.req('thread/name/set', { threadId: fresh['id'], name });
        names.set(fresh['id'], name);
      });
      const db = snapshot(dirs.codexHome);
      expect(db.integrity).toBe('ok');
      migrations ??= db.migrations;
      expect(db.migrations).toEqual(migrations);
    }
    // Final check from both sides, without loading anything: list, then read the full history.
    for (const side of ['ours', 'reference'] as const) {
      await run(side, dirs, async (s) => {
        const listed = await listAll(s);
        expect(listed.map((t) => t['id']).sort()).toEqual([...expected.keys()].sort());
        for (const [id, texts] of expected) {
          const resumed = await s.req('thread/resume', { threadId: id });
          expect({ side, id, turns: turnTexts(resumed['thread']) }).toEqual({ side, id, turns: texts });
        }
      });
    }
    for (const [id, texts] of expected) checkRollout(dirs.codexHome, id, texts.length);
    const rows = new Map(snapshot(dirs.codexHome).threads.map((t) => [t['id'], t]));
    for (const [id, texts] of expected) expect({ id, tokens: rows.get(id)?.['tokens_used'] }).toEqual({ id, tokens: 105 * texts.length });
  }, 180_000);
  test('4. running side by side: the writer lock keeps each side off a thread the other has loaded', async (ctx) => {
    if (skipReason) return unavailable(ctx, skipReason);
    const dirs = newHome('shared-concurrent');
    await writeSharedConfig(dirs.codexHome, mock);
    for (const [holder, other] of [
      ['ours', 'reference'],
      ['reference', 'ours'],
    ] as const) {
      const h = await startSide(holder, dirs, mock);
      const o = await startSide(other, dirs, mock);
      try {
        const t = String((await startThread(h))['id']);
        await h.turn(t, `held by ${holder}`);
        const busy = `thread ${t} already has an active writer`;
        expect({ other, resume: (await o.reqError('thread/resume', { threadId: t }))['message'] }).toEqual({ other, resume: busy });
        expect({ other, archive: (await o.reqError('thread/archive', { threadId: t }))['message'] }).toEqual({ other, archive: busy });
        // Reading and listing need no lock.
        expect((await o.req('thread/read', { threadId: t }))['thread']).toMatchObject({ id: t, status: { type: 'notLoaded' } });
        expect((await listAll(o)).map((x) => x['id'])).toContain(t);
        // The holder goes on undisturbed, then lets go by exiting.
        expect((await h.turn(t, `still ${holder}`))['turn']['status']).toBe('completed');
        const closed = await h.close();
        expect(closed.code).toBe(0);
        const resumed = await o.req('thread/resume', { threadId: t });
        expect(turnTexts(resumed['thread'])).toEqual([`held by ${holder}`, `still ${holder}`]);
        expect((await o.turn(t, `now ${other}`))['turn']['status']).toBe('completed');
        await o.req('thread/archive', { threadId: t });
      } finally {
        await h.close();
        const closed = await o.close();
        expect({ other, dbErrors: databaseErrorLines(closed.stderr), rolloutWarnings: rolloutParseWarnings(closed.stderr) }).toEqual({ other, dbErrors: [], rolloutWarnings: [] });
      }
    }
  }, 120_000);

  test('5. a fork our server made is read, resumed and continued by the reference (source turns first)', async (ctx) => {
    if (skipReason) return unavailable(ctx, skipReason);
    const dirs = newHome('shared-fork-ours');
    await writeSharedConfig(dirs.codexHome, mock);
    const ids = await run('ours', dirs, async (s) => {
      const a = await startThread(s);
      await s.turn(a['id'], 'a1');
      await s.turn(a['id'], 'a2');
      const fork = (await s.req('thread/fork', { threadId: a['id'] }))['thread'] as Json;
      expect(turnTexts(fork)).toEqual(['a1', 'a2']);
      await s.turn(fork['id'], 'f1');
      return { a: String(a['id']), f: String(fork['id']) };
    });
    // The fork has its state DB row at once (the reference would otherwise log a discrepancy and repair it).
    expect(snapshot(dirs.codexHome).threads.map((t) => t['id']).sort()).toEqual([ids.a, ids.f].sort());
    await run('reference', dirs, async (s) => {
      expect((await listAll(s, { useStateDbOnly: true })).map((t) => t['id']).sort()).toEqual([ids.a, ids.f].sort());
      const resumed = await s.req('thread/resume', { threadId: ids.f });
      expect(turnTexts(resumed['thread'])).toEqual(['a1', 'a2', 'f1']);
      expect((await s.turn(ids.f, 'f2'))['turn']['status']).toBe('completed');
    });
    await run('ours', dirs, async (s) => {
      const read = await s.req('thread/read', { threadId: ids.f, includeTurns: true });
      expect(turnTexts(read['thread'])).toEqual(['a1', 'a2', 'f1', 'f2']);
      expect(turnTexts((await s.req('thread/read', { threadId: ids.a, includeTurns: true }))['thread'])).toEqual(['a1', 'a2']);
    });
  }, 60_000);

  // The reference's fork does not copy history: its rollout starts with a `session_meta` carrying `forked_from_id`
  // and `forked_from_ordinal_exclusive: N` (the source's first N lines belong to the fork). Our reader follows that
  // lineage (src/rollout/lineage.ts) for read, resume and the model history, and lists the fork with the source's
  // preview.
  test('a fork the reference made shows the source turns first in our server', async (ctx) => {
    if (skipReason) return unavailable(ctx, skipReason);
    const dirs = newHome('shared-fork-reference');
    await writeSharedConfig(dirs.codexHome, mock);
    const ids = await run('reference', dirs, async (s) => {
      const a = await startThread(s);
      await s.turn(a['id'], 'a1');
      await s.turn(a['id'], 'a2');
      const fork = (await s.req('thread/fork', { threadId: a['id'] }))['thread'] as Json;
      await s.turn(fork['id'], 'f1');
      return { a: String(a['id']), f: String(fork['id']) };
    });
    await run('ours', dirs, async (s) => {
      const listed = await listAll(s);
      const read = await s.req('thread/read', { threadId: ids.f, includeTurns: true });
      const resumed = await s.req('thread/resume', { threadId: ids.f });
      const before = mock.responsesRequests().length;
      await s.turn(ids.f, 'f2');
      const sent = JSON.stringify(mock.responsesRequests()[before]!.body);
      expect({
        preview: listed.find((t) => t['id'] === ids.f)?.['preview'],
        read: turnTexts(read['thread']),
        resumed: turnTexts(resumed['thread']),
        modelSawSource: sent.includes('a1') && sent.includes('a2'),
      }).toEqual({ preview: 'a1', read: ['a1', 'a2', 'f1'], resumed: ['a1', 'a2', 'f1'], modelSawSource: true });
    });
  }, 60_000);

  // The reference answers `thread/read {includeTurns:true}`, `thread/turns/list` and `thread/items/list` for a
  // thread it has not loaded from its `thread_history_1.sqlite` projection only; it does not re-read the rollout.
  // This server keeps that projection (thread_turns, thread_items, thread_history_projection_state) in step with
  // every rollout it appends to, at each turn end (src/threads/history-projector.ts), so the reference sees a
  // thread we created and a turn we appended to one it had projected, without resuming either. The rows are the
  // ones the reference itself makes from our rollouts: it continues from our checkpoints without rebuilding, and
  // re-projecting our rollouts from scratch gives the same rows.
  test('the reference reads turns our server wrote without resuming first (thread_history_1 projection)', async (ctx) => {
    if (skipReason) return unavailable(ctx, skipReason);
    const dirs = newHome('shared-projection');
    await writeSharedConfig(dirs.codexHome, mock);
    const ids = await run('reference', dirs, async (s) => {
      const a = await startThread(s);
      await s.turn(a['id'], 'ref turn');
      return { a: String(a['id']) };
    });
    const ours = await run('ours', dirs, async (s) => {
      await s.req('thread/resume', { threadId: ids.a });
      await s.turn(ids.a, 'ours turn');
      const b = String((await startThread(s))['id']);
      await s.turn(b, 'ours only');
      expect((await s.interruptedTurn(b, `${HANG_MARKER} then stop`))['turn']['status']).toBe('interrupted');
      const failed = (await s.turn(b, `${FAIL_MARKER} now`))['turn'] as Json;
      expect(failed['status']).toBe('failed');
      await s.turn(b, 'after failure');
      return { b, failedError: failed['error'] as Json };
    });
    const b = ours.b;
    const projected = historyRows(dirs.codexHome, [ids.a, b]);
    expect({ turns: projected.rows.turns.length, items: projected.rows.items.length, checkpoints: projected.checkpoints.length }).toEqual({ turns: 6, items: 10, checkpoints: 2 });
    await run('reference', dirs, async (s) => {
      const readA = await s.req('thread/read', { threadId: ids.a, includeTurns: true });
      const readB = await s.req('thread/read', { threadId: b, includeTurns: true });
      const pageB = await s.req('thread/turns/list', { threadId: b });
      const itemsB = await s.req('thread/items/list', { threadId: b });
      // Without the projection 0.169.0 showed ['ref turn'] for A, and [] and an empty page for B.
      expect({
        a: turnTexts(readA['thread']),
        b: turnTexts(readB['thread']),
        statusesB: (readB['thread']['turns'] as Json[]).map((t) => t['status']),
        failedErrorB: (readB['thread']['turns'] as Json[])[2]?.['error'],
        pageB: (pageB['data'] as Json[]).length,
        itemsB: (itemsB['data'] as Json[]).map((i) => [i['item']['type'], i['item']['text'] ?? i['item']['content']?.[0]?.['text']]),
      }).toEqual({
        a: ['ref turn', 'ours turn'],
        b: ['ours only', `${HANG_MARKER} then stop`, `${FAIL_MARKER} now`, 'after failure'],
        statusesB: ['completed', 'interrupted', 'failed', 'completed'],
        failedErrorB: ours.failedError,
        pageB: 4,
        itemsB: [
          ['userMessage', 'ours only'], ['agentMessage', 'Done'], ['userMessage', `${HANG_MARKER} then stop`],
          ['userMessage', `${FAIL_MARKER} now`], ['userMessage', 'after failure'], ['agentMessage', 'Done'],
        ],
      });
      // Loading continues from our checkpoints (a checkpoint it did not trust would be rebuilt, with a warning).
      await s.req('thread/resume', { threadId: ids.a });
      await s.req('thread/resume', { threadId: b });
    }, (stderr) => expect(stderr).not.toMatch(/rebuilding paginated history projection/));
    expect(historyRows(dirs.codexHome, [ids.a, b]).rows).toEqual(projected.rows);
    // The reference's own projection of our rollouts, from scratch, is row for row ours.
    dropHistory(dirs.codexHome, [ids.a, b]);
    await run('reference', dirs, async (s) => {
      await s.req('thread/resume', { threadId: ids.a });
      await s.req('thread/resume', { threadId: b });
    });
    expect(historyRows(dirs.codexHome, [ids.a, b])).toEqual(projected);
  }, 60_000);
});
