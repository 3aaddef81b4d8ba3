import { appendFileSync, closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { HomeLayout } from './layout.js';
import { isRecord } from '../support/json-values.js';

/** Loads the native flock binding when first needed (not at import: CJS bundles of the state DB import this module). */
const requireNative = (id: string): unknown => createRequire(import.meta.url)(id);

/**
 * Thread names in `session_index.jsonl` (one `{"id","thread_name","updated_at"}` line per rename, latest
 * wins), the file the reference reads names from. Appends are guarded by an exclusive flock on
 * `session_index.jsonl.lock`, as the reference does. Reads are cached until the file's size or mtime changes.
 */
export class ThreadNames {
  private cache: { size: number; mtimeMs: number; names: Map<string, string> } | null = null;

  constructor(private readonly layout: HomeLayout) {}

  async append(threadId: string, name: string, nowMs: number): Promise<void> {
    const line = JSON.stringify({ id: threadId, thread_name: name, updated_at: isoNanos(nowMs) }) + '\n';
    const lockFd = openSync(`${this.layout.sessionIndexPath}.lock`, 'a');
    const { flockSync } = requireNative('fs-ext') as typeof import('fs-ext');
    try {
      flockSync(lockFd, 'ex');
      // Synchronous on purpose: nothing else in this process may run while the flock is held. With an await
      // here, a second append (another thread's name/set) would block the event loop in `flockSync` on our
      // own lock and the process would hang forever.
      appendFileSync(this.layout.sessionIndexPath, line);
    } finally {
      closeSync(lockFd);
    }
  }

  /** Latest name per thread id. */
  async names(): Promise<Map<string, string>> {
    // Synchronous: every listing asks, the answer is almost always "unchanged", and a local `stat` (or the read
    // of a file of a few KB) costs less than the thread-pool round trips of fs/promises.
    let info;
    try {
      info = statSync(this.layout.sessionIndexPath, { throwIfNoEntry: false });
    } catch {
      info = undefined;
    }
    if (!info) return new Map();
    if (this.cache && this.cache.size === info.size && this.cache.mtimeMs === info.mtimeMs) return this.cache.names;
    const names = new Map<string, string>();
    let text = '';
    try {
      text = readFileSync(this.layout.sessionIndexPath, 'utf8');
    } catch {
      // Removed since the stat: no names.
    }
    for (const raw of text.split('\n')) {
      if (!raw.trim()) continue;
      try {
        const entry: unknown = JSON.parse(raw);
        if (isRecord(entry) && typeof entry['id'] === 'string' && typeof entry['thread_name'] === 'string') {
          names.set(entry['id'], entry['thread_name']);
        }
      } catch {
        // A torn line from a crash: skip it.
      }
    }
    this.cache = { size: info.size, mtimeMs: info.mtimeMs, names };
    return names;
  }

  async nameOf(threadId: string): Promise<string | null> {
    return (await this.names()).get(threadId) ?? null;
  }
}

/** RFC 3339 with nanoseconds, as the reference writes `updated_at` in the index. */
function isoNanos(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000000Z');
}
