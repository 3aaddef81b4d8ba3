import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, expect, test } from 'vitest';
import { LocalThreadStore } from '../../../src/rollout/local-thread-store.js';
import { silentLogger } from '../../../src/support/logger.js';
import { rebuildHistory } from '../../../src/threads/history.js';
import { readThreadLines } from '../../../src/rollout/lineage.js';
import { FIXTURES } from '../../support/paths.js';
import { tempHome } from '../../support/temp-home.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const SOURCE = '01a211bb-1b90-7a63-a05b-5f773a6eefd3';
const FORK = '01a211bb-9999-7000-8000-000000000001';

test('a reference-style fork reads as the source lines before the cut, then its own', async () => {
  const { home, cleanup } = tempHome();
  cleanups.push(cleanup);
  const dayDir = path.join(home, 'sessions', '2026', '11', '25');
  mkdirSync(dayDir, { recursive: true });
  const srcDir = path.join(FIXTURES, 'rollouts', '0.169.0', 'sessions', '2026', '11', '25');
  copyFileSync(path.join(srcDir, readdirSync(srcDir).find((f) => f.includes('1b90')) as string), path.join(dayDir, `rollout-2026-11-25T08-03-24-${SOURCE}.jsonl`));
  const ts = '2026-11-25T09:00:00.000Z';
  const forkLines = [
    { timestamp: ts, ordinal: 14, type: 'session_meta', payload: { id: FORK, timestamp: ts, cwd: '/p', originator: 'x', cli_version: '0.169.0', source: 'vscode', model_provider: 'mock_provider', base_instructions: { text: 'be good' }, forked_from_id: SOURCE, forked_from_ordinal_exclusive: 14 } },
    { timestamp: ts, ordinal: 15, type: 'event_msg', payload: { type: 'task_started', turn_id: 't-f1', started_at: 1 } },
    { timestamp: ts, ordinal: 16, type: 'event_msg', payload: { type: 'item_completed', turn_id: 't-f1', item: { type: 'UserMessage', id: 'u', content: [{ type: 'text', text: 'fork turn' }] } } },
    { timestamp: ts, ordinal: 17, type: 'event_msg', payload: { type: 'task_complete', turn_id: 't-f1' } },
  ];
  const forkPath = path.join(dayDir, `rollout-2026-11-25T09-00-00-${FORK}.jsonl`);
  writeFileSync(forkPath, forkLines.map((l) => JSON.stringify(l)).join('\n') + '\n');

  const store = new LocalThreadStore(home, null, { clock: { nowMs: () => Date.now() }, log: silentLogger() });
  const { own, lines } = await readThreadLines(store, forkPath);
  expect(own.lines).toHaveLength(4);
  const history = rebuildHistory(lines);
  expect(history.sessionMeta?.['id']).toBe(FORK);
  // The source's first turn ("hello") is inside the cut, its second ("again") is not.
  expect(history.turns.map((t) => t.items.filter((i) => i['type'] === 'userMessage').map((i) => (i['content'] as { text: string }[])[0]?.text))).toEqual([['hello'], ['fork turn']]);
  expect((await store.summary(forkPath))?.preview).toBe('hello');
});
