import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import { HomeLayout, rolloutFileName } from '../../../src/rollout/layout.js';
import { readRollout } from '../../../src/rollout/reader.js';
import type { IndexListQuery } from '../../../src/rollout/thread-index.js';
import { WriterLocks } from '../../../src/rollout/writer-lock.js';
import { RolloutWriter } from '../../../src/rollout/writer.js';
import { silentLogger } from '../../../src/support/logger.js';
import { tempHome } from '../../support/temp-home.js';

const clock = { nowMs: () => Date.parse('2026-02-01T00:00:00Z') };
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function home(): string {
  const h = tempHome();
  cleanups.push(h.cleanup);
  return h.home;
}

function idFor(n: number): string {
  return `01900000-0000-7000-8000-${n.toString(16).padStart(12, '0')}`;
}

/** A minimal reference-format rollout created at `createdAtMs`. */
function writeRollout(root: string, n: number, createdAtMs: number, preview = `message ${n}`, extra: Record<string, unknown> = {}): string {
  const id = idFor(n);
  const file = new HomeLayout(root).activeRolloutPath(createdAtMs, id);
  mkdirSync(path.dirname(file), { recursive: true });
  const ts = new Date(createdAtMs).toISOString();
  const lines = [
    { timestamp: ts, ordinal: 0, type: 'session_meta', payload: { id, timestamp: ts, cwd: '/work', originator: 't', cli_version: '0.169.0', source: 'vscode', model_provider: 'mock_provider', ...extra } },
    ...(preview ? [{ timestamp: ts, ordinal: 1, type: 'event_msg', payload: { type: 'user_message', message: preview } }] : []),
  ];
  writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return file;
}

const baseQuery: IndexListQuery = { archived: false, sortKey: 'created_at', sortDirection: 'desc', after: null, limit: 25, sourceKinds: [], modelProviders: null, cwds: null, searchTerm: null, requirePreview: true };

describe('LocalThreadStore without a DB', () => {
  test('lists newest first, pages with an exclusive cursor, and omits empty previews', async () => {
    const root = home();
    const t0 = Date.parse('2025-12-30T23:59:58Z');
    for (let n = 1; n <= 7; n += 1) writeRollout(root, n, t0 + n * 1000);
    writeRollout(root, 99, t0 + 99_000, '');
    const store = new LocalThreadStore(root, null, { clock, log: silentLogger() });
    const seen: string[] = [];
    let after: IndexListQuery['after'] = null;
    for (let page = 0; page < 10; page += 1) {
      const result = await store.list({ ...baseQuery, limit: 3, after }, false);
      seen.push(...result.threads.map((t) => t.id));
      const last = result.threads.at(-1);
      if (!result.more || !last) break;
      after = { keyMs: last.createdAtMs, id: last.id };
    }
    expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1].map(idFor));
    const asc = await store.list({ ...baseQuery, sortDirection: 'asc', limit: 2 }, false);
    expect(asc.threads.map((t) => t.id)).toEqual([idFor(1), idFor(2)]);
    expect(asc.more).toBe(true);
  });

  test('filters by source kind, provider, cwd and search term', async () => {
    const root = home();
    const t0 = Date.parse('2026-01-05T10:00:00Z');
    writeRollout(root, 1, t0, 'fix the bug');
    writeRollout(root, 2, t0 + 1000, 'write docs', { source: { subagent: { thread_spawn: { parent_thread_id: idFor(1), depth: 1 } } } });
    writeRollout(root, 3, t0 + 2000, 'fix tests', { cwd: '/other' });
    const store = new LocalThreadStore(root, null, { clock, log: silentLogger() });
    const ids = async (q: Partial<IndexListQuery>) => (await store.list({ ...baseQuery, ...q }, false)).threads.map((t) => t.id);
    expect(await ids({})).toEqual([idFor(3), idFor(1)]);
    expect(await ids({ sourceKinds: ['subAgentThreadSpawn'] })).toEqual([idFor(2)]);
    expect(await ids({ cwds: ['/other'] })).toEqual([idFor(3)]);
    expect(await ids({ searchTerm: 'fix' })).toEqual([idFor(3), idFor(1)]);
    expect(await ids({ searchTerm: 'Fix' })).toEqual([]);
    expect(await ids({ modelProviders: ['nope'] })).toEqual([]);
  });

  test('archive moves to the flat archive dir, unarchive moves back; neither overwrites', async () => {
    const root = home();
    const created = Date.parse('2026-01-07T08:09:10Z');
    const file = writeRollout(root, 1, created);
    const store = new LocalThreadStore(root, null, { clock, log: silentLogger() });
    const archived = await store.archive(idFor(1));
    expect(archived).toBe(path.join(root, 'archived_sessions', path.basename(file)));
    expect(existsSync(file)).toBe(false);
    expect(await store.find(idFor(1), false)).toBeNull();
    expect(await store.find(idFor(1), true)).toBe(archived);
    await expect(store.archive(idFor(1))).rejects.toThrow(`no rollout found for thread id ${idFor(1)}`);

    // A file already at the destination is never overwritten.
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, 'occupied\n');
    await expect(store.unarchive(idFor(1))).rejects.toThrow(/already exists/);
    expect(readFileSync(file, 'utf8')).toBe('occupied\n');
    expect(existsSync(archived)).toBe(true);
  });

  test('archive conflict with a directory at the destination leaves the source in place', async () => {
    const root = home();
    const file = writeRollout(root, 2, Date.parse('2026-01-07T08:09:10Z'));
    mkdirSync(path.join(root, 'archived_sessions', path.basename(file)), { recursive: true });
    const store = new LocalThreadStore(root, null, { clock, log: silentLogger() });
    await expect(store.archive(idFor(2))).rejects.toThrow(/already exists/);
    expect(existsSync(file)).toBe(true);
  });

  test('unarchive of a thread that is not archived names the archived lookup', async () => {
    const root = home();
    writeRollout(root, 3, Date.parse('2026-01-07T08:09:10Z'));
    const store = new LocalThreadStore(root, null, { clock, log: silentLogger() });
    await expect(store.unarchive(idFor(3))).rejects.toThrow(`no archived rollout found for thread id ${idFor(3)}`);
  });
});

describe('RolloutWriter', () => {
  test('creates the file lazily with ordinals and continues after a torn last line on a fresh line', async () => {
    const root = home();
    const created = Date.parse('2026-01-07T08:09:10Z');
    const file = new HomeLayout(root).activeRolloutPath(created, idFor(5));
    const writer = RolloutWriter.forNewFile(file, clock);
    expect(existsSync(file)).toBe(false);
    await writer.append([{ type: 'session_meta', payload: { id: idFor(5) } }, { type: 'event_msg', payload: { type: 'user_message', message: 'hi' } }]);
    await writer.close();
    expect(path.basename(file)).toBe(rolloutFileName(created, idFor(5)));
    appendFileSync(file, '{"timestamp":"2026-01-07T08:09:11.000Z","ordinal":2,"type":"event_m');
    const before = await readRollout(file);
    expect(before.lines).toHaveLength(2);
    const resumed = RolloutWriter.forExistingFile(file, clock, before.lines.length + before.skipped.length, before.endsWithNewline);
    await resumed.append([{ type: 'event_msg', payload: { type: 'task_complete' } }]);
    await resumed.close();
    const after = await readRollout(file);
    expect(after.lines.map((l) => [l.ordinal, l.type])).toEqual([[0, 'session_meta'], [1, 'event_msg'], [3, 'event_msg']]);
    expect(after.skipped).toEqual([2]);
    expect(after.endsWithNewline).toBe(true);
  });
});

describe('WriterLocks', () => {
  test('one holder at a time, released on unload, and excludes the flock(1) tool like the reference', () => {
    const root = home();
    const layout = new HomeLayout(root);
    const a = new WriterLocks(layout);
    const b = new WriterLocks(layout);
    const held = a.tryAcquire(idFor(9));
    expect(held).not.toBeNull();
    expect(b.tryAcquire(idFor(9))).toBeNull();
    expect(() => execFileSync('flock', ['-n', layout.writerLockPath(idFor(9)), 'true'])).toThrow();
    held?.release();
    expect(readdirSync(layout.locksDir)).toEqual([]);
    const again = b.tryAcquire(idFor(9));
    expect(again).not.toBeNull();
    again?.release();
  });
});

describe('paging across date directories', () => {
  test('later pages skip the days before the cursor and still see every thread once, in both directions', async () => {
    const root = home();
    const ids: string[] = [];
    const day = 86_400_000;
    const t0 = Date.parse('2025-12-28T23:59:50Z');
    for (let n = 1; n <= 12; n += 1) {
      writeRollout(root, n, t0 + Math.floor(n / 3) * day + n * 1000);
      ids.push(idFor(n));
    }
    const store = new LocalThreadStore(root, null, { clock, log: silentLogger() });
    for (const direction of ['desc', 'asc'] as const) {
      const seen: string[] = [];
      let after: IndexListQuery['after'] = null;
      for (let page = 0; page < 20; page += 1) {
        const result = await store.list({ ...baseQuery, sortDirection: direction, limit: 5, after }, false);
        seen.push(...result.threads.map((t) => t.id));
        const last = result.threads.at(-1);
        if (!result.more || !last) break;
        after = { keyMs: last.createdAtMs, id: last.id };
      }
      expect(seen).toEqual(direction === 'desc' ? [...ids].reverse() : ids);
    }
  });
});
