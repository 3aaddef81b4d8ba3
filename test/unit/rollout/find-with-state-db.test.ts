/**
 * The seed's focused coverage of DB-backed lookups (SPEC §8.3), against a real state DB and real files.
 */
import { copyFileSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { HomeLayout } from '../../../src/rollout/layout.js';
import { rowFromSummary } from '../../../src/rollout/file-row.js';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import { summarizeRollout } from '../../../src/rollout/summary.js';
import { openStateDb, type StateDb } from '../../../src/state/index.js';
import { silentLogger } from '../../../src/support/logger.js';
import { tempHome } from '../../support/temp-home.js';

const clock = { nowMs: () => Date.parse('2026-03-01T00:00:00Z') };
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const A = '01900000-0000-7000-8000-00000000000a';
const B = '01900000-0000-7000-8000-00000000000b';

function writeRollout(home: string, id: string, createdAtMs: number): string {
  const file = new HomeLayout(home).activeRolloutPath(createdAtMs, id);
  mkdirSync(path.dirname(file), { recursive: true });
  const ts = new Date(createdAtMs).toISOString();
  writeFileSync(
    file,
    [
      { timestamp: ts, ordinal: 0, type: 'session_meta', payload: { id, timestamp: ts, cwd: '/w', originator: 't', cli_version: '0.169.0', source: 'vscode', model_provider: 'p' } },
      { timestamp: ts, ordinal: 1, type: 'event_msg', payload: { type: 'user_message', message: `hi ${id}` } },
    ].map((l) => JSON.stringify(l)).join('\n') + '\n',
  );
  return file;
}

async function setup(): Promise<{ home: string; db: StateDb; store: LocalThreadStore }> {
  const { home, cleanup } = tempHome();
  const db = await openStateDb(home, { clock, log: silentLogger() });
  if (!db) throw new Error('state db did not open');
  cleanups.push(cleanup, () => db.close());
  return { home, db, store: new LocalThreadStore(home, db, { clock, log: silentLogger() }) };
}

describe('DB-backed rollout lookup', () => {
  test('find_thread_path_accepts_existing_state_db_path_without_canonical_filename', async () => {
    const { home, db, store } = await setup();
    const canonical = writeRollout(home, A, Date.parse('2026-01-02T03:04:05Z'));
    const odd = path.join(path.dirname(canonical), 'renamed-by-someone.jsonl');
    renameSync(canonical, odd);
    const summary = await summarizeRollout(odd, false);
    if (!summary) throw new Error('summary missing');
    db.upsertThread(rowFromSummary(summary));
    // The filesystem search alone cannot find it (the name lacks the id); the verified DB path can.
    expect(await new LocalThreadStore(home, null, { clock, log: silentLogger() }).find(A, false)).toBeNull();
    expect(await store.find(A, false)).toBe(odd);
  });

  test('find_thread_path_falls_back_when_db_path_points_to_another_thread', async () => {
    const { home, db, store } = await setup();
    const fileA = writeRollout(home, A, Date.parse('2026-01-02T03:04:05Z'));
    const fileB = writeRollout(home, B, Date.parse('2026-01-02T03:04:06Z'));
    const summaryA = await summarizeRollout(fileA, false);
    if (!summaryA) throw new Error('summary missing');
    // A stale row for A that points at B's file.
    db.upsertThread({ ...rowFromSummary(summaryA), rolloutPath: fileB });
    expect(await store.find(A, false)).toBe(fileA);
    // Read-repaired: the row points at A's own file again.
    expect(db.rolloutPath(A, false)).toBe(fileA);
  });

  test('a row pointing at a missing file falls back to the filesystem and is repaired', async () => {
    const { home, db, store } = await setup();
    const fileA = writeRollout(home, A, Date.parse('2026-01-02T03:04:05Z'));
    const summaryA = await summarizeRollout(fileA, false);
    if (!summaryA) throw new Error('summary missing');
    db.upsertThread({ ...rowFromSummary(summaryA), rolloutPath: path.join(home, 'sessions', 'gone.jsonl') });
    expect(await store.find(A, false)).toBe(fileA);
    expect(db.rolloutPath(A, false)).toBe(fileA);
  });

  test('a missing row is rebuilt from the file found on disk', async () => {
    const { home, db, store } = await setup();
    const fileB = writeRollout(home, B, Date.parse('2026-01-02T03:04:06Z'));
    expect(db.getThread(B)).toBeNull();
    expect(await store.find(B, false)).toBe(fileB);
    expect(db.getThread(B)).toMatchObject({ id: B, rolloutPath: fileB, preview: `hi ${B}`, approvalMode: 'on-request' });
  });

  test('a DB path outside CODEX_HOME is never read or returned', async () => {
    const { home, db, store } = await setup();
    const outside = tempHome('cas-outside-');
    cleanups.push(outside.cleanup);
    const fileA = writeRollout(home, A, Date.parse('2026-01-02T03:04:05Z'));
    const evil = path.join(outside.home, 'a.jsonl');
    copyFileSync(fileA, evil);
    const summaryA = await summarizeRollout(fileA, false);
    if (!summaryA) throw new Error('summary missing');
    db.upsertThread({ ...rowFromSummary(summaryA), rolloutPath: evil });
    expect(await store.find(A, false)).toBe(fileA);
  });
});
