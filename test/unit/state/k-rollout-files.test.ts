import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { collectRolloutFiles, watermarkOf } from '../../../src/state/rollout-files.js';
import { makeTempHome, recordingLogger } from './helpers.js';

// readdir can be made to fail for one directory (root reads every mode bit, so a chmod cannot).
const failing = vi.hoisted(() => new Map<string, string>());
vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    readdirSync: (dir: string, options: unknown) => {
      const code = failing.get(dir);
      if (code) throw Object.assign(new Error(`${code}: readdir '${dir}'`), { code });
      return (real.readdirSync as (d: string, o: unknown) => unknown)(dir, options);
    },
  };
});

afterEach(() => failing.clear());

function touch(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '{}\n');
  return file;
}

describe('collectRolloutFiles', () => {
  test('a home without session directories has no files', async () => {
    const home = makeTempHome();
    const log = recordingLogger();
    expect(await collectRolloutFiles(home, log)).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  test('finds rollout-*.jsonl files at any depth of both roots, sorted by watermark, archived flagged', async () => {
    const home = makeTempHome();
    const b = touch(path.join(home, 'sessions', '2026', '02', '01', 'rollout-b.jsonl'));
    const a = touch(path.join(home, 'sessions', '2026', '01', '31', 'rollout-a.jsonl'));
    const top = touch(path.join(home, 'sessions', 'rollout-top.jsonl'));
    const arch = touch(path.join(home, 'archived_sessions', 'rollout-z.jsonl'));
    const deepArch = touch(path.join(home, 'archived_sessions', 'x', 'rollout-y.jsonl'));
    // Not rollouts: wrong prefix, wrong suffix, a directory with a rollout name, a symlink to a rollout.
    touch(path.join(home, 'sessions', 'notes-rollout-c.jsonl'));
    touch(path.join(home, 'sessions', 'rollout-c.json'));
    touch(path.join(home, 'sessions', 'rollout-c.jsonl.bak'));
    mkdirSync(path.join(home, 'sessions', 'rollout-dir.jsonl'));
    symlinkSync(a, path.join(home, 'sessions', 'rollout-link.jsonl'));
    const log = recordingLogger();
    expect(await collectRolloutFiles(home, log)).toEqual([
      { path: arch, archived: true, watermark: 'archived_sessions/rollout-z.jsonl' },
      { path: deepArch, archived: true, watermark: 'archived_sessions/x/rollout-y.jsonl' },
      { path: a, archived: false, watermark: 'sessions/2026/01/31/rollout-a.jsonl' },
      { path: b, archived: false, watermark: 'sessions/2026/02/01/rollout-b.jsonl' },
      { path: top, archived: false, watermark: 'sessions/rollout-top.jsonl' },
    ]);
    expect(log.warnings).toEqual([]);
  });

  test('roots that are symlinks or files are not walked', async () => {
    const home = makeTempHome();
    const elsewhere = makeTempHome();
    touch(path.join(elsewhere, 'rollout-far.jsonl'));
    symlinkSync(elsewhere, path.join(home, 'sessions'));
    writeFileSync(path.join(home, 'archived_sessions'), 'not a directory');
    const log = recordingLogger();
    expect(await collectRolloutFiles(home, log)).toEqual([]);
    expect(log.warnings).toEqual([]);
  });

  test('an unreadable directory is skipped with a warning; the others are still walked', async () => {
    const home = makeTempHome();
    const ok = touch(path.join(home, 'sessions', 'ok', 'rollout-1.jsonl'));
    const badDir = path.join(home, 'sessions', 'bad');
    touch(path.join(badDir, 'rollout-2.jsonl'));
    failing.set(badDir, 'EACCES');
    const log = recordingLogger();
    expect(await collectRolloutFiles(home, log)).toEqual([{ path: ok, archived: false, watermark: 'sessions/ok/rollout-1.jsonl' }]);
    expect(log.warnings).toEqual([`failed to read directory ${badDir}: Error: EACCES: readdir '${badDir}'`]);
  });

  test('a directory that vanished before it was read is skipped silently', async () => {
    const home = makeTempHome();
    const gone = path.join(home, 'archived_sessions', 'gone');
    mkdirSync(gone, { recursive: true });
    failing.set(gone, 'ENOENT');
    const log = recordingLogger();
    expect(await collectRolloutFiles(home, log)).toEqual([]);
    expect(log.warnings).toEqual([]);
  });
});

describe('watermarkOf', () => {
  test('is the path relative to the home with / separators', () => {
    expect(watermarkOf('/h', '/h/sessions/2026/01/01/rollout-a.jsonl')).toBe('sessions/2026/01/01/rollout-a.jsonl');
  });
});
