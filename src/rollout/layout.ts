import path from 'node:path';
import { isCanonicalThreadId } from '../support/thread-id.js';
import { relativeInside } from './contained.js';

/** Directory names inside CODEX_HOME, as the reference uses them. */
export const SESSIONS_DIR = 'sessions';
export const ARCHIVED_SESSIONS_DIR = 'archived_sessions';
export const WRITER_LOCKS_DIR = 'thread-writer-locks';
export const SESSION_INDEX_FILE = 'session_index.jsonl';

const ROLLOUT_NAME = /^rollout-(\d{4})-(\d{2})-(\d{2})T(\d{2})-(\d{2})-(\d{2})-([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.jsonl$/;

export interface ParsedRolloutName {
  /** `YYYY-MM-DDThh-mm-ss`, the creation time in the name. */
  stamp: string;
  year: string;
  month: string;
  day: string;
  /** Creation time from the name (second precision). */
  createdAtMs: number;
  threadId: string;
}

/** Parses a canonical `rollout-YYYY-MM-DDThh-mm-ss-<uuid>.jsonl` name; null for anything else. */
export function parseRolloutFileName(name: string): ParsedRolloutName | null {
  const m = ROLLOUT_NAME.exec(name);
  if (!m) return null;
  const [, y, mo, d, h, mi, s, id] = m as unknown as [string, string, string, string, string, string, string, string];
  const createdAtMs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(createdAtMs)) return null;
  return { stamp: `${y}-${mo}-${d}T${h}-${mi}-${s}`, year: y, month: mo, day: d, createdAtMs, threadId: id };
}

/** The canonical file name for a thread created at `createdAtMs` (UTC, `:` → `-`, seconds). */
export function rolloutFileName(createdAtMs: number, threadId: string): string {
  const iso = new Date(createdAtMs).toISOString().slice(0, 19).replace(/:/g, '-');
  return `rollout-${iso}-${threadId}.jsonl`;
}

/**
 * Every path the store touches, built from the home directory value. Ids must be canonical (checked here
 * again, so a bug upstream cannot turn an id into a path outside the home).
 */
export class HomeLayout {
  readonly sessionsDir: string;
  readonly archivedDir: string;
  readonly locksDir: string;
  readonly sessionIndexPath: string;

  constructor(readonly home: string) {
    this.sessionsDir = path.join(home, SESSIONS_DIR);
    this.archivedDir = path.join(home, ARCHIVED_SESSIONS_DIR);
    this.locksDir = path.join(home, WRITER_LOCKS_DIR);
    this.sessionIndexPath = path.join(home, SESSION_INDEX_FILE);
  }

  /** `sessions/YYYY/MM/DD/<name>` for a thread created at `createdAtMs`. */
  activeRolloutPath(createdAtMs: number, threadId: string): string {
    assertCanonical(threadId);
    const iso = new Date(createdAtMs).toISOString();
    return path.join(this.sessionsDir, iso.slice(0, 4), iso.slice(5, 7), iso.slice(8, 10), rolloutFileName(createdAtMs, threadId));
  }

  /** Where an archived file with this name goes back to: the date directory its name encodes. */
  unarchivedPathFor(fileName: string): string | null {
    const parsed = parseRolloutFileName(fileName);
    if (!parsed) return null;
    return path.join(this.sessionsDir, parsed.year, parsed.month, parsed.day, fileName);
  }

  archivedPathFor(fileName: string): string {
    if (path.basename(fileName) !== fileName) throw new Error(`not a file name: ${fileName}`);
    return path.join(this.archivedDir, fileName);
  }

  writerLockPath(threadId: string): string {
    assertCanonical(threadId);
    return path.join(this.locksDir, `${threadId}.lock`);
  }

  /** True when `p` resolves inside the home directory. */
  contains(p: string): boolean {
    return relativeInside(this.home, p) !== null;
  }

  isArchivedPath(p: string): boolean {
    return path.dirname(path.resolve(p)) === this.archivedDir;
  }
}

function assertCanonical(threadId: string): void {
  if (!isCanonicalThreadId(threadId)) throw new Error(`refusing non-canonical thread id in a path: ${JSON.stringify(threadId)}`);
}
