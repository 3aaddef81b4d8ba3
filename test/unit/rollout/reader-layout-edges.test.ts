/**
 * Edges of the rollout reader and the home layout that the store tests leave open (found by mutation testing,
 * issue 17): blank and whitespace-only lines, torn last lines, lines that are JSON but not rollout lines, the
 * defaults a decoded line gets, and the exact paths and refusals of HomeLayout.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import {
  HomeLayout,
  parseRolloutFileName,
  rolloutFileName,
} from '../../../src/rollout/layout.js';
import { parseRolloutText, readRollout } from '../../../src/rollout/reader.js';

const ID = '0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('parseRolloutText', () => {
  test('empty text: no lines, nothing skipped, counts as ending with a newline', () => {
    expect(parseRolloutText('')).toEqual({ lines: [], skipped: [], endsWithNewline: true });
  });

  test('blank and whitespace-only lines are neither lines nor skipped, but still count for line numbers', () => {
    const text = '\n   \n{"type":"a","payload":{"x":1}}\nnot json\n\t\n{"type":"b"}\n';
    const r = parseRolloutText(text);
    expect(r.lines.map((l) => l.type)).toEqual(['a', 'b']);
    expect(r.skipped).toEqual([3]);
    expect(r.endsWithNewline).toBe(true);
  });

  test('a last line without a newline is still read when whole, and the text does not end with a newline', () => {
    const r = parseRolloutText('{"type":"a"}\n{"type":"b"}');
    expect(r.lines.map((l) => l.type)).toEqual(['a', 'b']);
    expect(r.skipped).toEqual([]);
    expect(r.endsWithNewline).toBe(false);
  });

  test('a torn last line is skipped by its line number', () => {
    const r = parseRolloutText('{"type":"a"}\n{"type":"b"}\n{"type":"c","pay');
    expect(r.lines.map((l) => l.type)).toEqual(['a', 'b']);
    expect(r.skipped).toEqual([2]);
    expect(r.endsWithNewline).toBe(false);
  });

  test('a single character without newline is one line (torn), not dropped', () => {
    expect(parseRolloutText('x')).toEqual({ lines: [], skipped: [0], endsWithNewline: false });
    expect(parseRolloutText('5\n').skipped).toEqual([0]);
  });

  test('JSON that is not an object with a string type is skipped', () => {
    const text = ['[1]', 'null', '"type"', '{"type":5}', '{"payload":{}}', '{"type":"ok"}'].join('\n') + '\n';
    const r = parseRolloutText(text);
    expect(r.skipped).toEqual([0, 1, 2, 3, 4]);
    expect(r.lines).toHaveLength(1);
  });

  test('defaults: a missing or non-object payload becomes {}, a missing timestamp "", other fields stay', () => {
    const text =
      [
        '{"type":"a"}',
        '{"type":"b","payload":[1,2]}',
        '{"type":"c","payload":"s","timestamp":12}',
        '{"type":"d","payload":{"k":"v"},"timestamp":"2025-01-01T00:00:00.000Z","ordinal":7,"extra":true}',
        '{"type":"e","timestamp":null}',
      ].join('\n') + '\n';
    const r = parseRolloutText(text);
    expect(r.lines).toEqual([
      { type: 'a', timestamp: '', payload: {} },
      { type: 'b', timestamp: '', payload: {} },
      { type: 'c', timestamp: '12', payload: {} },
      { type: 'd', timestamp: '2025-01-01T00:00:00.000Z', payload: { k: 'v' }, ordinal: 7, extra: true },
      { type: 'e', timestamp: '', payload: {} },
    ]);
  });

  test('readRollout decodes the file as UTF-8', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'reader-edges-'));
    dirs.push(dir);
    const file = path.join(dir, 'r.jsonl');
    await writeFile(file, '{"type":"a","payload":{"t":"héllo ✓"}}\n{"type":"b"');
    const r = await readRollout(file);
    expect(r.lines).toEqual([{ type: 'a', timestamp: '', payload: { t: 'héllo ✓' } }]);
    expect(r.skipped).toEqual([1]);
    expect(r.endsWithNewline).toBe(false);
  });
});

describe('rollout file names', () => {
  const name = `rollout-2025-03-04T05-06-07-${ID}.jsonl`;

  test('parses every field of a canonical name', () => {
    expect(parseRolloutFileName(name)).toEqual({
      stamp: '2025-03-04T05-06-07',
      year: '2025',
      month: '03',
      day: '04',
      createdAtMs: Date.UTC(2025, 2, 4, 5, 6, 7),
      threadId: ID,
    });
  });

  test.each([
    [`x${name}`],
    [`${name}.bak`],
    [`rollout-2025-03-04T05-06-07-${ID.toUpperCase()}.jsonl`],
    [`rollout-25-03-04T05-06-07-${ID}.jsonl`],
    [`rollout-2025-3-04T05-06-07-${ID}.jsonl`],
    [`rollout-2025-03-4T05-06-07-${ID}.jsonl`],
    [`rollout-2025-03-04T5-06-07-${ID}.jsonl`],
    [`rollout-2025-03-04T05-6-07-${ID}.jsonl`],
    [`rollout-2025-03-04T05-06-7-${ID}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(1)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID}0.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID}.json`],
    [`rollout-2025-03-04 05-06-07-${ID}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.replace(/-/g, '')}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 8)}-${ID.slice(9, 13)}x-${ID.slice(14)}.jsonl`],
    [`rollout-abcd-03-04T05-06-07-${ID}.jsonl`],
    [`rollout-2025-ab-04T05-06-07-${ID}.jsonl`],
    [`rollout-2025-03-abT05-06-07-${ID}.jsonl`],
    [`rollout-2025-03-04Tab-06-07-${ID}.jsonl`],
    [`rollout-2025-03-04T05-ab-07-${ID}.jsonl`],
    [`rollout-2025-03-04T05-06-ab-${ID}.jsonl`],
    [`rollout-2025-03-04T05-06-07-g${ID.slice(1)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 9)}g${ID.slice(10)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 14)}g${ID.slice(15)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 19)}g${ID.slice(20)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 24)}g${ID.slice(25)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 8)}0-${ID.slice(9)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 13)}0-${ID.slice(14)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 18)}0-${ID.slice(19)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID.slice(0, 23)}0-${ID.slice(24)}.jsonl`],
    [`rollout-2025-03-04T05-06-07-${ID}xjsonl`],
  ])('refuses %s', (n) => {
    expect(parseRolloutFileName(n)).toBeNull();
  });

  test('rolloutFileName: UTC, seconds, ":" replaced by "-"', () => {
    expect(rolloutFileName(Date.UTC(2025, 11, 31, 23, 59, 58, 999), ID)).toBe(`rollout-2025-12-31T23-59-58-${ID}.jsonl`);
  });
});

describe('HomeLayout', () => {
  const home = path.join(os.tmpdir(), 'layout-home');
  const layout = new HomeLayout(home);

  test('directory and file names', () => {
    expect(layout.home).toBe(home);
    expect(layout.sessionsDir).toBe(path.join(home, 'sessions'));
    expect(layout.archivedDir).toBe(path.join(home, 'archived_sessions'));
    expect(layout.locksDir).toBe(path.join(home, 'thread-writer-locks'));
    expect(layout.sessionIndexPath).toBe(path.join(home, 'session_index.jsonl'));
  });

  test('activeRolloutPath is sessions/YYYY/MM/DD/<name> in UTC; a non-canonical id is refused', () => {
    const ms = Date.UTC(2024, 0, 9, 23, 30, 1);
    expect(layout.activeRolloutPath(ms, ID)).toBe(
      path.join(home, 'sessions', '2024', '01', '09', `rollout-2024-01-09T23-30-01-${ID}.jsonl`),
    );
    expect(() => layout.activeRolloutPath(ms, ID.toUpperCase())).toThrow(
      `refusing non-canonical thread id in a path: ${JSON.stringify(ID.toUpperCase())}`,
    );
    expect(() => layout.activeRolloutPath(ms, '../x')).toThrow(/refusing non-canonical/);
  });

  test('unarchivedPathFor goes to the date in the name; null for other names', () => {
    const n = `rollout-2023-07-08T01-02-03-${ID}.jsonl`;
    expect(layout.unarchivedPathFor(n)).toBe(path.join(home, 'sessions', '2023', '07', '08', n));
    expect(layout.unarchivedPathFor('notes.txt')).toBeNull();
  });

  test('archivedPathFor takes a bare file name only', () => {
    expect(layout.archivedPathFor('a.jsonl')).toBe(path.join(home, 'archived_sessions', 'a.jsonl'));
    expect(() => layout.archivedPathFor('x/a.jsonl')).toThrow('not a file name: x/a.jsonl');
  });

  test('writerLockPath is <id>.lock in the locks dir; a non-canonical id is refused', () => {
    expect(layout.writerLockPath(ID)).toBe(path.join(home, 'thread-writer-locks', `${ID}.lock`));
    expect(() => layout.writerLockPath('x')).toThrow(/refusing non-canonical/);
  });

  test('contains: strictly inside only (not the home itself, not a sibling, not through ..)', () => {
    expect(layout.contains(path.join(home, 'sessions', 'a'))).toBe(true);
    expect(layout.contains(home)).toBe(false);
    expect(layout.contains(`${home}/`)).toBe(false);
    expect(layout.contains(path.join(home, '..', 'other'))).toBe(false);
    expect(layout.contains(`${home}-sibling/x`)).toBe(false);
    expect(layout.contains(path.join(home, 'a', '..', '..', 'x'))).toBe(false);
    expect(layout.contains('/')).toBe(false);
    expect(layout.contains(path.join(home, '..x', 'f'))).toBe(true);
    expect(layout.contains(path.join(home, '..x', '..', '..'))).toBe(false);
  });

  test('contains resolves a relative path against the working directory', () => {
    const here = new HomeLayout(process.cwd());
    expect(here.contains('sub/file')).toBe(true);
    expect(here.contains('.')).toBe(false);
  });

  test('isArchivedPath: directly in archived_sessions only', () => {
    expect(layout.isArchivedPath(path.join(home, 'archived_sessions', 'a.jsonl'))).toBe(true);
    expect(layout.isArchivedPath(path.join(home, 'archived_sessions', 'd', 'a.jsonl'))).toBe(false);
    expect(layout.isArchivedPath(path.join(home, 'sessions', 'a.jsonl'))).toBe(false);
  });
});
