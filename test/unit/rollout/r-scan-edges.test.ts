/**
 * The date-directory walks and the id search of src/rollout/scan.ts (mutation testing, issue 17): order in both
 * directions, what is not a date directory or a rollout file, symlinks never followed, the cursor-day skip at
 * every level, and the UUIDv7 date hint.
 */
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { searchRolloutById, walkActiveRollouts, walkArchivedRollouts } from '../../../src/rollout/scan.js';
import { tempHomeForTest } from '../../support/temp-home.js';

async function collect(gen: AsyncGenerator<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const file of gen) out.push(file);
  return out;
}

function touch(file: string, text = '{}\n'): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

/** A relative path of each file, for short expectations. */
const rel = (root: string, files: string[]) => files.map((f) => path.relative(root, f));

describe('walkActiveRollouts', () => {
  test('walks year/month/day directories in name order, both directions, files sorted within a day', async () => {
    const home = tempHomeForTest();
    const sessions = path.join(home, 'sessions');
    for (const f of [
      '2025/12/31/rollout-b.jsonl',
      '2025/12/31/rollout-a.jsonl',
      '2026/01/02/rollout-c.jsonl',
      '2026/01/10/rollout-d.jsonl',
      '2026/02/01/rollout-e.jsonl',
      '2027/01/01/rollout-f.jsonl',
    ])
      touch(path.join(sessions, f));
    const asc = rel(sessions, await collect(walkActiveRollouts(sessions, false)));
    expect(asc).toEqual([
      '2025/12/31/rollout-a.jsonl',
      '2025/12/31/rollout-b.jsonl',
      '2026/01/02/rollout-c.jsonl',
      '2026/01/10/rollout-d.jsonl',
      '2026/02/01/rollout-e.jsonl',
      '2027/01/01/rollout-f.jsonl',
    ]);
    const desc = rel(sessions, await collect(walkActiveRollouts(sessions, true)));
    expect(desc).toEqual([...asc].reverse());
  });

  test('skips names that are not years, months, days or rollout files, directories named like files, and symlinks', async () => {
    const home = tempHomeForTest();
    const sessions = path.join(home, 'sessions');
    touch(path.join(sessions, '2026/01/02/rollout-ok.jsonl'));
    touch(path.join(sessions, '2026/01/02/other.jsonl'));
    touch(path.join(sessions, '2026/01/02/rollout-x.json'));
    touch(path.join(sessions, '2026/01/02/xrollout-y.jsonl'));
    touch(path.join(sessions, '2026/01/02/rollout-z.jsonl.bak'));
    mkdirSync(path.join(sessions, '2026/01/02/rollout-dir.jsonl'), { recursive: true });
    touch(path.join(sessions, '2026/01/2/rollout-one-digit-day.jsonl'));
    touch(path.join(sessions, '2026/1/02/rollout-one-digit-month.jsonl'));
    touch(path.join(sessions, '2026/001/02/rollout-three-digit-month.jsonl'));
    touch(path.join(sessions, '2026/01/002/rollout-three-digit-day.jsonl'));
    touch(path.join(sessions, '26/01/02/rollout-short-year.jsonl'));
    touch(path.join(sessions, '20260/01/02/rollout-long-year.jsonl'));
    touch(path.join(sessions, 'x2026/01/02/rollout-prefixed-year.jsonl'));
    touch(path.join(sessions, '2026x/01/02/rollout-suffixed-year.jsonl'));
    touch(path.join(sessions, '2026/01x/02/rollout-suffixed-month.jsonl'));
    touch(path.join(sessions, '2026/01/02x/rollout-suffixed-day.jsonl'));
    // A year, month or day that is a file, and symlinked date directories / files pointing outside.
    touch(path.join(sessions, '2024'));
    touch(path.join(sessions, '2026/03'));
    touch(path.join(sessions, '2026/01/03'));
    const outside = path.join(home, 'outside');
    touch(path.join(outside, '01/02/rollout-escaped.jsonl'));
    touch(path.join(outside, 'rollout-escaped-file.jsonl'));
    symlinkSync(outside, path.join(sessions, '2023'));
    symlinkSync(path.join(outside, '01'), path.join(sessions, '2026/04'));
    symlinkSync(path.join(outside, '01/02'), path.join(sessions, '2026/01/05'));
    symlinkSync(path.join(outside, 'rollout-escaped-file.jsonl'), path.join(sessions, '2026/01/02/rollout-link.jsonl'));
    expect(rel(sessions, await collect(walkActiveRollouts(sessions, false)))).toEqual(['2026/01/02/rollout-ok.jsonl']);
    expect(rel(sessions, await collect(walkActiveRollouts(sessions, true)))).toEqual(['2026/01/02/rollout-ok.jsonl']);
  });

  test('a missing sessions directory, a file in its place and a symlinked one yield nothing', async () => {
    const home = tempHomeForTest();
    expect(await collect(walkActiveRollouts(path.join(home, 'sessions'), true))).toEqual([]);
    touch(path.join(home, 'real/2026/01/02/rollout-a.jsonl'));
    symlinkSync(path.join(home, 'real'), path.join(home, 'sessions'));
    expect(await collect(walkActiveRollouts(path.join(home, 'sessions'), true))).toEqual([]);
    expect(await collect(walkActiveRollouts(path.join(home, 'real'), true))).toHaveLength(1);
    touch(path.join(home, 'file-sessions'));
    expect(await collect(walkActiveRollouts(path.join(home, 'file-sessions'), false))).toEqual([]);
  });

  test('with a cursor day, days before it in walk order are not listed; the cursor day itself is', async () => {
    const home = tempHomeForTest();
    const sessions = path.join(home, 'sessions');
    const days = ['2025/12/31', '2026/01/01', '2026/01/02', '2026/01/03', '2026/02/01', '2027/01/01'];
    for (const day of days) touch(path.join(sessions, day, 'rollout-a.jsonl'));
    const dayOf = (files: string[]) => rel(sessions, files).map((f) => path.dirname(f));
    expect(dayOf(await collect(walkActiveRollouts(sessions, true, '2026-01-02')))).toEqual(['2026/01/02', '2026/01/01', '2025/12/31']);
    expect(dayOf(await collect(walkActiveRollouts(sessions, false, '2026-01-02')))).toEqual(['2026/01/02', '2026/01/03', '2026/02/01', '2027/01/01']);
    // Month and year levels: a cursor on the first of a month / year keeps that month / year.
    expect(dayOf(await collect(walkActiveRollouts(sessions, false, '2026-02-01')))).toEqual(['2026/02/01', '2027/01/01']);
    expect(dayOf(await collect(walkActiveRollouts(sessions, true, '2026-02-01')))).toEqual(['2026/02/01', '2026/01/03', '2026/01/02', '2026/01/01', '2025/12/31']);
    expect(dayOf(await collect(walkActiveRollouts(sessions, true, '2025-12-31')))).toEqual(['2025/12/31']);
    expect(dayOf(await collect(walkActiveRollouts(sessions, false, '2027-01-01')))).toEqual(['2027/01/01']);
    // A cursor day with no directory of its own: the walk starts at the next day in its direction.
    expect(dayOf(await collect(walkActiveRollouts(sessions, true, '2026-01-15')))).toEqual(['2026/01/03', '2026/01/02', '2026/01/01', '2025/12/31']);
    expect(dayOf(await collect(walkActiveRollouts(sessions, false, '2026-01-15')))).toEqual(['2026/02/01', '2027/01/01']);
    expect(dayOf(await collect(walkActiveRollouts(sessions, true, '2026-06-30')))).toEqual(['2026/02/01', '2026/01/03', '2026/01/02', '2026/01/01', '2025/12/31']);
    expect(dayOf(await collect(walkActiveRollouts(sessions, false, '2025-06-30')))).toEqual(days);
    expect(dayOf(await collect(walkActiveRollouts(sessions, true, null)))).toEqual([...days].reverse());
  });
});

describe('walkArchivedRollouts', () => {
  test('lists rollout files of the flat directory in name order, skipping other names, directories and symlinks', async () => {
    const home = tempHomeForTest();
    const archived = path.join(home, 'archived_sessions');
    touch(path.join(archived, 'rollout-b.jsonl'));
    touch(path.join(archived, 'rollout-a.jsonl'));
    touch(path.join(archived, 'rollout-c.json'));
    touch(path.join(archived, 'notes.jsonl'));
    touch(path.join(archived, 'sub/rollout-d.jsonl'));
    mkdirSync(path.join(archived, 'rollout-dir.jsonl'));
    touch(path.join(home, 'rollout-outside.jsonl'));
    symlinkSync(path.join(home, 'rollout-outside.jsonl'), path.join(archived, 'rollout-link.jsonl'));
    expect(rel(archived, await collect(walkArchivedRollouts(archived, false)))).toEqual(['rollout-a.jsonl', 'rollout-b.jsonl']);
    expect(rel(archived, await collect(walkArchivedRollouts(archived, true)))).toEqual(['rollout-b.jsonl', 'rollout-a.jsonl']);
  });

  test('a missing or symlinked archive directory yields nothing', async () => {
    const home = tempHomeForTest();
    expect(await collect(walkArchivedRollouts(path.join(home, 'archived_sessions'), false))).toEqual([]);
    touch(path.join(home, 'real/rollout-a.jsonl'));
    symlinkSync(path.join(home, 'real'), path.join(home, 'archived_sessions'));
    expect(await collect(walkArchivedRollouts(path.join(home, 'archived_sessions'), false))).toEqual([]);
  });
});

describe('searchRolloutById', () => {
  // A UUIDv7 minted 2026-01-02T03:04:05.678Z: its first 48 bits are that unix ms.
  const ms = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
  const hex = ms.toString(16).padStart(12, '0');
  const v7 = `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7abc-8def-0123456789ab`;
  const v4 = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

  test('finds an archived file by the id its name ends with', async () => {
    const home = tempHomeForTest();
    const archived = path.join(home, 'archived_sessions');
    const file = touch(path.join(archived, `rollout-2026-01-02T03-04-05-${v7}.jsonl`));
    touch(path.join(archived, `rollout-2026-01-02T03-04-05-${v4}.jsonl.tmp`));
    expect(await searchRolloutById(archived, v7, true)).toBe(file);
    expect(await searchRolloutById(archived, v4, true)).toBeNull();
    // An archived search never looks at date directories.
    touch(path.join(archived, `2026/01/02/rollout-2026-01-02T03-04-05-${v4}.jsonl`));
    expect(await searchRolloutById(archived, v4, true)).toBeNull();
  });

  test('prefers the date directory a UUIDv7 id encodes over a newer copy elsewhere', async () => {
    const home = tempHomeForTest();
    const sessions = path.join(home, 'sessions');
    const hinted = touch(path.join(sessions, `2026/01/02/rollout-2026-01-02T03-04-05-${v7}.jsonl`));
    const later = touch(path.join(sessions, `2026/03/04/rollout-2026-03-04T00-00-00-${v7}.jsonl`));
    touch(path.join(sessions, `2026/01/02/rollout-2026-01-02T03-04-05-${v4}.jsonl`));
    expect(await searchRolloutById(sessions, v7, false)).toBe(hinted);
    // Without the hinted file the walk (newest first) finds the other one.
    rmSync(hinted);
    expect(await searchRolloutById(sessions, v7, false)).toBe(later);
    // An id no file carries.
    expect(await searchRolloutById(sessions, '0a1b2c3d-4e5f-7a6b-8c7d-000000000000', false)).toBeNull();
  });

  test('a non-v7 id is found by the walk, newest day first', async () => {
    const home = tempHomeForTest();
    const sessions = path.join(home, 'sessions');
    touch(path.join(sessions, `2025/05/06/rollout-2025-05-06T00-00-00-${v4}.jsonl`));
    const newest = touch(path.join(sessions, `2025/07/08/rollout-2025-07-08T00-00-00-${v4}.jsonl`));
    expect(await searchRolloutById(sessions, v4, false)).toBe(newest);
  });

  test('a hinted day directory that is a symlink is not read, nor is one under a symlinked month or year', async () => {
    const home = tempHomeForTest();
    const sessions = path.join(home, 'sessions');
    const name = `rollout-2026-01-02T03-04-05-${v7}.jsonl`;
    touch(path.join(home, 'out/day', name));
    mkdirSync(path.join(sessions, '2026/01'), { recursive: true });
    symlinkSync(path.join(home, 'out/day'), path.join(sessions, '2026/01/02'));
    expect(await searchRolloutById(sessions, v7, false)).toBeNull();

    const home2 = tempHomeForTest();
    const sessions2 = path.join(home2, 'sessions');
    touch(path.join(home2, 'out/01/02', name));
    mkdirSync(path.join(sessions2, '2026'), { recursive: true });
    symlinkSync(path.join(home2, 'out/01'), path.join(sessions2, '2026/01'));
    expect(await searchRolloutById(sessions2, v7, false)).toBeNull();

    const home3 = tempHomeForTest();
    const sessions3 = path.join(home3, 'sessions');
    touch(path.join(home3, 'out/2026/01/02', name));
    mkdirSync(sessions3, { recursive: true });
    symlinkSync(path.join(home3, 'out/2026'), path.join(sessions3, '2026'));
    expect(await searchRolloutById(sessions3, v7, false)).toBeNull();

    const home4 = tempHomeForTest();
    touch(path.join(home4, 'out/2026/01/02', name));
    symlinkSync(path.join(home4, 'out'), path.join(home4, 'sessions'));
    expect(await searchRolloutById(path.join(home4, 'sessions'), v7, false)).toBeNull();
  });

  test('an id whose v7 time is not a date falls back to the walk', async () => {
    const home = tempHomeForTest();
    const sessions = path.join(home, 'sessions');
    // Version nibble 7 but no hex time: the hint is skipped instead of throwing.
    const odd = 'zzzzzzzz-zzzz-7zzz-8zzz-zzzzzzzzzzzz';
    const file = touch(path.join(sessions, `2026/01/02/rollout-x-${odd}.jsonl`));
    expect(await searchRolloutById(sessions, odd, false)).toBe(file);
    expect(await searchRolloutById(path.join(home, 'missing'), odd, false)).toBeNull();
  });
});
