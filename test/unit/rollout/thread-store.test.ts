import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import { readRollout } from '../../../src/rollout/reader.js';
import type { ThreadStore } from '../../../src/rollout/thread-store.js';
import { silentLogger } from '../../../src/support/logger.js';
import { tempHome } from '../../support/temp-home.js';

const clock = { nowMs: () => Date.parse('2026-02-01T00:00:00Z') };
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const ID = '01900000-0000-7000-8000-0000000000aa';
const CREATED_MS = Date.parse('2026-01-07T08:09:10Z');

function store(): { home: string; store: ThreadStore } {
  const { home, cleanup } = tempHome('thread-store-');
  cleanups.push(cleanup);
  return { home, store: new LocalThreadStore(home, null, { clock, log: silentLogger() }) };
}

describe('LocalThreadStore as a ThreadStore', () => {
  test('a new writer creates its dated file on the first append, not before', async () => {
    const { home, store: s } = store();
    const writer = s.newWriter(ID, CREATED_MS);
    expect(writer.rolloutPath).toBe(path.join(home, 'sessions', '2026', '01', '07', `rollout-2026-01-07T08-09-10-${ID}.jsonl`));
    expect(existsSync(writer.rolloutPath)).toBe(false);
    expect(writer.materialized).toBe(false);
    const appended = await writer.append([{ type: 'session_meta', payload: { id: ID } }]);
    await writer.close();
    expect(appended.map((l) => l.ordinal)).toEqual([0]);
    expect(writer.materialized).toBe(true);
    expect(await s.find(ID, false)).toBe(writer.rolloutPath);
  });

  test('a continuing writer carries on a reference fork’s ordinals and isolates a torn last line', async () => {
    const { home, store: s } = store();
    const file = path.join(home, 'sessions', '2026', '01', '07', `rollout-2026-01-07T08-09-10-${ID}.jsonl`);
    mkdirSync(path.dirname(file), { recursive: true });
    // A reference fork starts at its source's length: its session_meta carries ordinal 14.
    const ts = '2026-01-07T08:09:10.000Z';
    writeFileSync(file, [
      { timestamp: ts, ordinal: 14, type: 'session_meta', payload: { id: ID, timestamp: ts, cwd: '/p', originator: 'x', cli_version: '0.169.0', source: 'vscode' } },
      { timestamp: ts, ordinal: 15, type: 'event_msg', payload: { type: 'user_message', message: 'hi' } },
    ].map((l) => JSON.stringify(l)).join('\n') + '\n');
    appendFileSync(file, '{"timestamp":"2026-01-07T08:09:11.000Z","ordinal":16,"type":"event_m');
    const { own } = await s.readWithLineage(file);
    const writer = s.continueWriter(file, own);
    expect(writer.ordinal).toBe(17);
    await writer.append([{ type: 'event_msg', payload: { type: 'task_complete' } }]);
    await writer.close();
    const after = await readRollout(file);
    expect(after.lines.map((l) => l.ordinal)).toEqual([14, 15, 17]);
    expect(after.skipped).toEqual([2]);
  });

  test('one lock holder at a time; a name appended is the stored thread’s name', async () => {
    const { store: s } = store();
    const lock = s.tryLock(ID);
    expect(lock).not.toBeNull();
    expect(s.tryLock(ID)).toBeNull();
    lock?.release();
    const again = s.tryLock(ID);
    expect(again).not.toBeNull();
    again?.release();

    const writer = s.newWriter(ID, CREATED_MS);
    await writer.append([{ type: 'session_meta', payload: { id: ID, timestamp: '2026-01-07T08:09:10.000Z', cwd: '/p', originator: 'x', cli_version: '0.169.0', source: 'vscode' } }]);
    await writer.close();
    await s.appendName(ID, 'first', clock.nowMs());
    await s.appendName(ID, 'second', clock.nowMs() + 1);
    expect((await s.storedThread(writer.rolloutPath))?.name).toBe('second');
  });
});
