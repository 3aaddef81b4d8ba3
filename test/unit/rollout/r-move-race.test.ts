/**
 * moveNoReplace checks containment again after creating the destination directory (mutation testing, issue 17):
 * a symlink swapped in while `mkdir` runs (simulated by a mocked `mkdir`) is refused and nothing moves.
 */
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';

const race = { swapIn: null as null | { link: string; target: string } };

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  return {
    ...real,
    mkdir: async (...args: Parameters<typeof real.mkdir>) => {
      const result = await real.mkdir(...args);
      if (race.swapIn) {
        // Another process replaces the fresh directory with a symlink leading out of the home.
        rmSync(race.swapIn.link, { recursive: true, force: true });
        symlinkSync(race.swapIn.target, race.swapIn.link);
      }
      return result;
    },
  };
});

const { moveNoReplace } = await import('../../../src/rollout/move.js');

let base: string;
beforeEach(() => {
  base = realpathSync(mkdtempSync(path.join(os.tmpdir(), 'r-move-race-')));
  race.swapIn = null;
});
afterEach(() => {
  rmSync(base, { recursive: true, force: true });
});

test('a destination directory swapped for a symlink after mkdir is refused with io; the file stays', async () => {
  const home = path.join(base, 'home');
  const outside = path.join(base, 'outside');
  mkdirSync(path.join(home, 'sessions'), { recursive: true });
  mkdirSync(outside);
  const from = path.join(home, 'sessions', 'r.jsonl');
  writeFileSync(from, 'a');
  const to = path.join(home, 'archived_sessions', 'r.jsonl');
  race.swapIn = { link: path.join(home, 'archived_sessions'), target: outside };
  const error = await moveNoReplace(home, from, to).catch((e: unknown) => e);
  expect(error).toMatchObject({ kind: 'io', message: `refusing to move rollout ${from} to ${to}: a symlink on the way leads out of ${home}` });
  expect(existsSync(from)).toBe(true);
  expect(existsSync(path.join(outside, 'r.jsonl'))).toBe(false);
});

test('without a swap the same move succeeds', async () => {
  const home = path.join(base, 'home');
  mkdirSync(path.join(home, 'sessions'), { recursive: true });
  const from = path.join(home, 'sessions', 'r.jsonl');
  writeFileSync(from, 'a');
  const to = path.join(home, 'archived_sessions', 'r.jsonl');
  await moveNoReplace(home, from, to);
  expect(existsSync(to)).toBe(true);
  expect(existsSync(from)).toBe(false);
});
