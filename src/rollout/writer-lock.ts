import { closeSync, fstatSync, mkdirSync, openSync, statSync, unlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { HomeLayout } from './layout.js';

type FsExt = typeof import('fs-ext');
const requireNative = createRequire(import.meta.url);

/** A held writer lock; `release()` is idempotent. */
export interface WriterLock {
  release(): void;
}

/**
 * Single writer per thread across processes: an exclusive `flock` on `thread-writer-locks/<id>.lock`, the
 * same lock the reference takes, so the two implementations exclude each other. The kernel drops a flock when
 * its process dies, so a killed process never leaves a thread blocked.
 */
export class WriterLocks {
  private flock: FsExt['flockSync'] | null = null;
  private dirReady = false;

  constructor(private readonly layout: HomeLayout) {}

  /** Loads the native flock binding and creates the lock directory ahead of the first thread load. */
  warm(): void {
    this.flockSync();
    this.ensureDir();
  }

  private ensureDir(): void {
    if (this.dirReady) return;
    mkdirSync(this.layout.locksDir, { recursive: true });
    this.dirReady = true;
  }

  /** Takes the lock without waiting; null when another process (or another handle here) holds it. */
  tryAcquire(threadId: string): WriterLock | null {
    const lockPath = this.layout.writerLockPath(threadId);
    this.ensureDir();
    for (let attempt = 0; attempt < 5; attempt += 1) {
      const fd = this.openLockFile(lockPath);
      try {
        this.flockSync()(fd, 'exnb');
      } catch (error) {
        closeSync(fd);
        if (isWouldBlock(error)) return null;
        throw error;
      }
      // The holder deletes the file when it releases; if we locked an inode that was unlinked in between,
      // our lock guards nothing: retry on the current file.
      if (sameFile(fd, lockPath)) return this.held(fd, lockPath);
      closeSync(fd);
    }
    return null;
  }

  private openLockFile(lockPath: string): number {
    try {
      return openSync(lockPath, 'a');
    } catch (error) {
      // The lock directory was removed under us: make it again once.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      this.dirReady = false;
      this.ensureDir();
      return openSync(lockPath, 'a');
    }
  }

  private held(fd: number, lockPath: string): WriterLock {
    let open = true;
    return {
      release: () => {
        if (!open) return;
        open = false;
        try {
          unlinkSync(lockPath);
        } catch {
          // Already gone: nothing to clean.
        }
        closeSync(fd);
      },
    };
  }

  private flockSync(): FsExt['flockSync'] {
    // Loaded on first use: the native addon is not needed to answer `initialize`.
    this.flock ??= (requireNative('fs-ext') as FsExt).flockSync;
    return this.flock;
  }
}

function sameFile(fd: number, lockPath: string): boolean {
  try {
    const a = fstatSync(fd);
    const b = statSync(lockPath);
    return a.ino === b.ino && a.dev === b.dev;
  } catch {
    return false;
  }
}

function isWouldBlock(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EAGAIN' || code === 'EWOULDBLOCK';
}
