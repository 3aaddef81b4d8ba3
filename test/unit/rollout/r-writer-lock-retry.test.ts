/**
 * The retry of WriterLocks.tryAcquire when the locked inode is no longer the file at the lock path (the holder
 * deleted it in between), made visible by a mocked `statSync` (mutation testing, issue 17): a mismatch is
 * retried on the current file, at most five times, and every descriptor of a failed attempt is closed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';

const fake = { mismatches: 0, statFails: false, opens: 0, closes: 0 };

vi.mock('node:fs', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs')>();
  return {
    ...real,
    openSync: (...args: Parameters<typeof real.openSync>) => {
      fake.opens += 1;
      return real.openSync(...args);
    },
    closeSync: (fd: number) => {
      fake.closes += 1;
      real.closeSync(fd);
    },
    statSync: (...args: Parameters<typeof real.statSync>) => {
      if (fake.statFails) throw Object.assign(new Error('ENOENT: gone'), { code: 'ENOENT' });
      const st = real.statSync(...args) as import('node:fs').Stats;
      if (fake.mismatches > 0) {
        fake.mismatches -= 1;
        return { ...st, ino: st.ino + 1, dev: st.dev };
      }
      return st;
    },
  };
});

const { HomeLayout } = await import('../../../src/rollout/layout.js');
const { WriterLocks } = await import('../../../src/rollout/writer-lock.js');

const A = '0198a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b';
let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(os.tmpdir(), 'r-writer-lock-'));
  Object.assign(fake, { mismatches: 0, statFails: false, opens: 0, closes: 0 });
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

describe('WriterLocks retry', () => {
  test('a lock on a replaced inode is dropped and taken again on the current file', () => {
    const locks = new WriterLocks(new HomeLayout(home));
    locks.warm();
    fake.mismatches = 2;
    const held = locks.tryAcquire(A);
    expect(held).not.toBeNull();
    expect(fake.opens).toBe(3);
    expect(fake.closes).toBe(2);
    // The lock really is held: a second handle is refused.
    expect(new WriterLocks(new HomeLayout(home)).tryAcquire(A)).toBeNull();
    held!.release();
    expect(new WriterLocks(new HomeLayout(home)).tryAcquire(A)).not.toBeNull();
  });

  test('after five mismatches it gives up with null, every descriptor closed', () => {
    const locks = new WriterLocks(new HomeLayout(home));
    locks.warm();
    fake.mismatches = 5;
    expect(locks.tryAcquire(A)).toBeNull();
    expect(fake.opens).toBe(5);
    expect(fake.closes).toBe(5);
    fake.mismatches = 4;
    fake.opens = 0;
    const held = locks.tryAcquire(A);
    expect(held).not.toBeNull();
    expect(fake.opens).toBe(5);
    held!.release();
  });

  test('a lock file gone before the check counts as a mismatch', () => {
    const locks = new WriterLocks(new HomeLayout(home));
    locks.warm();
    fake.statFails = true;
    expect(locks.tryAcquire(A)).toBeNull();
    expect(fake.opens).toBe(5);
    expect(fake.closes).toBe(5);
  });
});
