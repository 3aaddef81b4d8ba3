import { readdirSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { isRealDirectory } from './contained.js';

const YEAR = /^\d{4}$/;
const TWO_DIGITS = /^\d{2}$/;
const ROLLOUT_FILE = /^rollout-.*\.jsonl$/;
/**
 * Directories a walk lists between two turns of the event loop. Listing is synchronous (a local `readdir` costs
 * less than the thread-pool round trip of fs/promises, and a first page lists about five), so a long walk
 * (a full scan, an id search) yields now and then instead of holding other requests for all of it.
 */
const DIRS_PER_TURN = 32;

/**
 * Names in `dir` matching `pattern` that are real directories (or regular files): symlinks are never followed out of CODEX_HOME.
 * Synchronous (see DIRS_PER_TURN).
 */
function sortedEntries(dir: string, pattern: RegExp, descending: boolean, kind: 'dir' | 'file' = 'dir'): string[] {
  let names: string[];
  try {
    const entries = readdirSync(dir, { withFileTypes: true });
    names = entries.filter((e) => (kind === 'dir' ? e.isDirectory() : e.isFile())).map((e) => e.name);
  } catch {
    return [];
  }
  const picked = names.filter((name) => pattern.test(name)).sort();
  return descending ? picked.reverse() : picked;
}

/**
 * Rollout files under `sessions/YYYY/MM/DD/` in file-name order (creation second, then id), walking date
 * directories lazily so a caller that stops after one page reads only the newest (or oldest) days. With
 * `fromDate` (`YYYY-MM-DD`, a cursor's day), days before it in the walk's direction are not even listed.
 */
export async function* walkActiveRollouts(sessionsDir: string, descending: boolean, fromDate: string | null = null): AsyncGenerator<string> {
  if (!isRealDirectory(sessionsDir)) return;
  // A directory whose date prefix lies before the cursor's day in walk order holds only files before it.
  const skip = (prefix: string) => fromDate !== null && (descending ? prefix > fromDate.slice(0, prefix.length) : prefix < fromDate.slice(0, prefix.length));
  let listed = 0;
  const list = async (dir: string, pattern: RegExp, kind: 'dir' | 'file' = 'dir'): Promise<string[]> => {
    listed += 1;
    if (listed % DIRS_PER_TURN === 0) await nextTurn();
    return sortedEntries(dir, pattern, descending, kind);
  };
  for (const year of await list(sessionsDir, YEAR)) {
    if (skip(year)) continue;
    const yearDir = path.join(sessionsDir, year);
    for (const month of await list(yearDir, TWO_DIGITS)) {
      if (skip(`${year}-${month}`)) continue;
      const monthDir = path.join(yearDir, month);
      for (const day of await list(monthDir, TWO_DIGITS)) {
        if (skip(`${year}-${month}-${day}`)) continue;
        const dayDir = path.join(monthDir, day);
        for (const file of await list(dayDir, ROLLOUT_FILE, 'file')) yield inDir(dayDir, file);
      }
    }
  }
}

/** Rollout files in the flat `archived_sessions/`, in file-name order. */
export async function* walkArchivedRollouts(archivedDir: string, descending: boolean): AsyncGenerator<string> {
  if (!isRealDirectory(archivedDir)) return;
  for (const file of sortedEntries(archivedDir, ROLLOUT_FILE, descending, 'file')) yield inDir(archivedDir, file);
}

/**
 * `path.join(dir, name)` for a `dir` that is already normalised (a `path.join` result without a trailing separator)
 * and a `readdir` name (no separator): the same string, without normalising every listed file's path. Per file,
 * `path.join` was the listing's hottest function: V8 optimised `path.normalize` during the first page.
 */
function inDir(dir: string, name: string): string {
  return dir.endsWith(path.sep) ? dir + name : dir + path.sep + name;
}

/** Finds a file whose name contains the id, checking the date directory a UUIDv7 id encodes first. */
export async function searchRolloutById(dir: string, threadId: string, archived: boolean): Promise<string | null> {
  const suffix = `${threadId}.jsonl`;
  if (archived) {
    for await (const file of walkArchivedRollouts(dir, true)) if (path.basename(file).endsWith(suffix)) return file;
    return null;
  }
  const hinted = uuidV7Date(threadId);
  if (hinted) {
    const yearDir = path.join(dir, hinted.slice(0, 4));
    const dayDir = path.join(yearDir, hinted.slice(5, 7), hinted.slice(8, 10));
    const real = isRealDirectory(dir) && isRealDirectory(yearDir) && isRealDirectory(path.dirname(dayDir)) && isRealDirectory(dayDir);
    if (real) for (const file of sortedEntries(dayDir, ROLLOUT_FILE, true, 'file')) if (file.endsWith(suffix)) return path.join(dayDir, file);
  }
  for await (const file of walkActiveRollouts(dir, true)) if (path.basename(file).endsWith(suffix)) return file;
  return null;
}

/** The UTC ISO date a UUIDv7 id was minted at (its first 48 bits are unix ms); null for other versions. */
function uuidV7Date(id: string): string | null {
  if (id.charAt(14) !== '7') return null;
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
