import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';
import { ARCHIVED_SESSIONS_DIR, SESSIONS_DIR } from '../rollout/layout.js';
import type { Logger } from '../support/logger.js';

/** A rollout file found under `sessions/` or `archived_sessions/`. */
export interface RolloutFile {
  path: string;
  archived: boolean;
  /** The path relative to CODEX_HOME with `/` separators: the backfill's sort key and checkpoint. */
  watermark: string;
}

const ROLLOUT_PREFIX = 'rollout-';
const ROLLOUT_SUFFIX = '.jsonl';

/**
 * Every regular `rollout-*.jsonl` file below `sessions/` and `archived_sessions/` (both walked recursively,
 * as the reference does), sorted by watermark. Missing roots are empty; unreadable directories are skipped
 * with a warning. Directories are read concurrently.
 */
export async function collectRolloutFiles(codexHome: string, log: Logger): Promise<RolloutFile[]> {
  const found: RolloutFile[] = [];
  // Entries below are typed with lstat semantics (symlinks skipped); the roots must be real directories too.
  const isRealDir = async (dir: string): Promise<boolean> => (await lstat(dir).catch(() => null))?.isDirectory() ?? false;
  const [sessions, archived] = [path.join(codexHome, SESSIONS_DIR), path.join(codexHome, ARCHIVED_SESSIONS_DIR)];
  await Promise.all([
    (await isRealDir(sessions)) ? walk(sessions, SESSIONS_DIR, false, found, log) : undefined,
    (await isRealDir(archived)) ? walk(archived, ARCHIVED_SESSIONS_DIR, true, found, log) : undefined,
  ]);
  found.sort((a, b) => (a.watermark < b.watermark ? -1 : a.watermark > b.watermark ? 1 : 0));
  return found;
}

/** `relDir` is `dir` relative to CODEX_HOME with `/` separators: watermarks are built from it, not by `path.relative`. */
async function walk(dir: string, relDir: string, archived: boolean, out: RolloutFile[], log: Logger): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`failed to read directory ${dir}: ${String(err)}`);
    return;
  }
  const subdirs: Promise<void>[] = [];
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) subdirs.push(walk(full, `${relDir}/${entry.name}`, archived, out, log));
    else if (entry.isFile() && entry.name.startsWith(ROLLOUT_PREFIX) && entry.name.endsWith(ROLLOUT_SUFFIX)) {
      out.push({ path: full, archived, watermark: `${relDir}/${entry.name}` });
    }
  }
  await Promise.all(subdirs);
}

export function watermarkOf(home: string, file: string): string {
  return path.relative(home, file).split(path.sep).join('/');
}
