import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isRealDirectory } from './contained.js';

const YEAR = /^\d{4}$/;
const TWO_DIGITS = /^\d{2}$/;

/** Names in `dir` matching `pattern` that are real directories (or regular files): symlinks are never followed out of CODEX_HOME. */
async function sortedEntries(dir: string, pattern: RegExp, descending: boolean, kind: 'dir' | 'file' = 'dir'): Promise<string[]> {
  let names: string[];
  try {
    const entries = await readdir(dir, { withFileTypes: true });
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
  if (!(await isRealDirectory(sessionsDir))) return;
  // A directory whose date prefix lies before the cursor's day in walk order holds only files before it.
  const skip = (prefix: string) => fromDate !== null && (descending ? prefix > fromDate.slice(0, prefix.length) : prefix < fromDate.slice(0, prefix.length));
  for (const year of await sortedEntries(sessionsDir, YEAR, descending)) {
    if (skip(year)) continue;
    const yearDir = path.join(sessionsDir, year);
    for (const month of await sortedEntries(yearDir, TWO_DIGITS, descending)) {
      if (skip(`${year}-${month}`)) continue;
      const monthDir = path.join(yearDir, month);
      for (const day of await sortedEntries(monthDir, TWO_DIGITS, descending)) {
        if (skip(`${year}-${month}-${day}`)) continue;
        const dayDir = path.join(monthDir, day);
        for (const file of await sortedEntries(dayDir, /^rollout-.*\.jsonl$/, descending, 'file')) yield path.join(dayDir, file);
      }
    }
  }
}

/** Rollout files in the flat `archived_sessions/`, in file-name order. */
export async function* walkArchivedRollouts(archivedDir: string, descending: boolean): AsyncGenerator<string> {
  if (!(await isRealDirectory(archivedDir))) return;
  for (const file of await sortedEntries(archivedDir, /^rollout-.*\.jsonl$/, descending, 'file')) yield path.join(archivedDir, file);
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
    const real = (await isRealDirectory(dir)) && (await isRealDirectory(yearDir)) && (await isRealDirectory(path.dirname(dayDir))) && (await isRealDirectory(dayDir));
    if (real) for (const file of await sortedEntries(dayDir, /^rollout-.*\.jsonl$/, true, 'file')) if (file.endsWith(suffix)) return path.join(dayDir, file);
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
