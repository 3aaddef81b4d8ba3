/**
 * The date-directory walk lists directories synchronously (cheaper than fs/promises for a first page), so a long walk
 * must still let other work run now and then (src/rollout/scan.ts, DIRS_PER_TURN), and still return every file in order.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from 'vitest';
import { walkActiveRollouts } from '../../../src/rollout/scan.js';
import { tempHomeForTest } from '../../support/temp-home.js';

function daysHome(days: number): { sessions: string; files: string[] } {
  const sessions = path.join(tempHomeForTest(), 'sessions');
  const files: string[] = [];
  for (let d = 0; d < days; d += 1) {
    const date = new Date(Date.UTC(2026, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    const dir = path.join(sessions, ...date.split('-'));
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `rollout-${date}T00-00-00-x.jsonl`);
    writeFileSync(file, '{}\n');
    files.push(file);
  }
  return { sessions, files };
}

test('a walk over 100 date directories returns every file in order, both directions', async () => {
  const { sessions, files } = daysHome(100);
  const walked = async (descending: boolean) => {
    const out: string[] = [];
    for await (const file of walkActiveRollouts(sessions, descending)) out.push(file);
    return out;
  };
  expect(await walked(false)).toEqual(files);
  expect(await walked(true)).toEqual([...files].reverse());
});

test('a long walk lets a pending macrotask run before it ends', async () => {
  const { sessions } = daysHome(100);
  const events: string[] = [];
  setImmediate(() => events.push('other work'));
  let count = 0;
  for await (const file of walkActiveRollouts(sessions, true)) {
    count += 1;
    if (count === 1 || count === 100) events.push(`file ${count}`);
    expect(file).toMatch(/rollout-/);
  }
  // Without yielding, every await in the walk resolves in microtasks and the macrotask runs only after it.
  expect(events).toEqual(['file 1', 'other work', 'file 100']);
});
