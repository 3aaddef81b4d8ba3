import { lstatSync, readdirSync } from 'node:fs';
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
 * with a warning. The walk is synchronous: start-up waits for it either way, and 5,000 directories (100,000
 * rollouts) take ≈ 0.3 s read one after the other against ≈ 0.8 s as concurrent thread-pool requests.
 */
export function collectRolloutFiles(codexHome: string, log: Logger): RolloutFile[] {
  const found: RolloutFile[] = [];
  // Entries below are typed with lstat semantics (symlinks skipped); the roots must be real directories too.
  const isRealDir = (dir: string): boolean => {
    try {
      return lstatSync(dir).isDirectory();
    } catch {
      return false;
    }
  };
  for (const [root, rel, archived] of [
    [path.join(codexHome, SESSIONS_DIR), SESSIONS_DIR, false],
    [path.join(codexHome, ARCHIVED_SESSIONS_DIR), ARCHIVED_SESSIONS_DIR, true],
  ] as const) {
    if (isRealDir(root)) walk(root, rel, archived, found, log);
  }
  found.sort((a, b) => (a.watermark < b.watermark ? -1 : a.watermark > b.watermark ? 1 : 0));
  return found;
}

/**
 * `relDir` is `dir` relative to CODEX_HOME with `/` separators: watermarks are built from it, not by
 * `path.relative`; paths are concatenated (the same string `path.join` makes of a normalised `dir` and a name).
 */
function walk(dir: string, relDir: string, archived: boolean, out: RolloutFile[], log: Logger): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn(`failed to read directory ${dir}: ${String(err)}`);
    return;
  }
  for (const entry of entries) {
    const full = `${dir}/${entry.name}`;
    if (entry.isDirectory()) walk(full, `${relDir}/${entry.name}`, archived, out, log);
    else if (entry.isFile() && entry.name.startsWith(ROLLOUT_PREFIX) && entry.name.endsWith(ROLLOUT_SUFFIX)) {
      out.push({ path: full, archived, watermark: `${relDir}/${entry.name}` });
    }
  }
}

export function watermarkOf(home: string, file: string): string {
  return path.relative(home, file).split(path.sep).join('/');
}
