/**
 * Edges of the per-thread writer lock (found by mutation testing, issue 17): a second handle in the same
 * process is refused (flock is per open file), release deletes the file and is idempotent, a lock file
 * deleted or a lock directory removed under us is made again, and warm() prepares the directory.
 */
import { existsSync, mkdirSync, rmSync, unlinkSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { HomeLayout } from '../../../src/rollout/layout.js';
import { WriterLocks } from '../../../src/rollout/writer-lock.js';

const A = '0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
const B = '0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c';
let home: string;
let layout: HomeLayout;
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'writer-lock-edges-'));
  layout = new HomeLayout(home);
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('WriterLocks', () => {
  test('warm() creates the lock directory before any lock is taken', () => {
    const locks = new WriterLocks(layout);
    expect(existsSync(layout.locksDir)).toBe(false);
    locks.warm();
    expect(existsSync(layout.locksDir)).toBe(true);
  });

  test('one holder per thread id, across instances; other ids are independent', () => {
    const one = new WriterLocks(layout);
    const two = new WriterLocks(layout);
    const held = one.tryAcquire(A);
    expect(held).not.toBeNull();
    expect(existsSync(layout.writerLockPath(A))).toBe(true);
    expect(two.tryAcquire(A)).toBeNull();
    expect(one.tryAcquire(A)).toBeNull();
    const other = two.tryAcquire(B);
    expect(other).not.toBeNull();
    held!.release();
    other!.release();
  });

  test('release deletes the lock file, frees the lock, and a second release is a no-op', () => {
    const locks = new WriterLocks(layout);
    const held = locks.tryAcquire(A)!;
    held.release();
    expect(existsSync(layout.writerLockPath(A))).toBe(false);
    const again = locks.tryAcquire(A);
    expect(again).not.toBeNull();
    // A second release of the first lock must not delete the file the new holder now owns.
    held.release();
    expect(existsSync(layout.writerLockPath(A))).toBe(true);
    expect(new WriterLocks(layout).tryAcquire(A)).toBeNull();
    again!.release();
  });

  test('release tolerates a lock file already deleted', () => {
    const locks = new WriterLocks(layout);
    const held = locks.tryAcquire(A)!;
    unlinkSync(layout.writerLockPath(A));
    expect(() => held.release()).not.toThrow();
  });

  test('a lock file deleted by someone else: the next acquire locks a fresh file', () => {
    const locks = new WriterLocks(layout);
    const stale = locks.tryAcquire(A)!;
    unlinkSync(layout.writerLockPath(A));
    const fresh = new WriterLocks(layout).tryAcquire(A);
    expect(fresh).not.toBeNull();
    expect(existsSync(layout.writerLockPath(A))).toBe(true);
    fresh!.release();
    stale.release();
  });

  test('a lock directory removed after first use is made again', () => {
    const locks = new WriterLocks(layout);
    locks.tryAcquire(A)!.release();
    rmSync(layout.locksDir, { recursive: true, force: true });
    const held = locks.tryAcquire(A);
    expect(held).not.toBeNull();
    expect(existsSync(layout.writerLockPath(A))).toBe(true);
    held!.release();
  });

  test('a non-canonical id is refused before anything is created', () => {
    const locks = new WriterLocks(layout);
    expect(() => locks.tryAcquire('../escape')).toThrow(/refusing non-canonical/);
    expect(existsSync(layout.locksDir)).toBe(false);
  });

  test('an open failure other than ENOENT is thrown', () => {
    const locks = new WriterLocks(layout);
    locks.warm();
    // A directory where the lock file should be: open(…, 'a') fails with EISDIR.
    rmSync(layout.locksDir, { recursive: true });
    mkdirSync(path.join(layout.locksDir, `${A}.lock`), { recursive: true });
    expect(() => locks.tryAcquire(A)).toThrow(/EISDIR/);
  });
});
