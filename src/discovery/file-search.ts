import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { Fzf } from 'fzf';
import ignore, { type Ignore } from 'ignore';

/** One match of `fuzzyFileSearch` (snake_case fields, as the reference's `FileMatch`). */
export interface FileMatch {
  root: string;
  path: string;
  match_type: 'file' | 'directory';
  file_name: string;
  score: number;
  indices: number[];
}

/** An entry of a walked root: its path relative to the root (`/`-separated) and whether it is a directory. */
export interface WalkedEntry {
  path: string;
  directory: boolean;
}

/** The reference answers at most this many matches. */
export const MAX_MATCHES = 50;
/** A match that lies entirely in the file name ranks above any match that needs the folders (the reference's bonus). */
const FILE_NAME_BONUS = 65536;

/**
 * Every file and folder under `root`, as the reference's walker sees them: hidden entries included, symlinks not
 * followed, and, inside a Git work tree, whatever the `.gitignore` files (each applying to its own folder and below)
 * and `.git/info/exclude` leave out. A root that is not an absolute, readable folder yields nothing.
 */
export function walkRoot(root: string, stamps?: Map<string, number>): WalkedEntry[] {
  if (!path.isAbsolute(root)) return [];
  const out: WalkedEntry[] = [];
  const stamp = (file: string): void => {
    if (!stamps) return;
    try {
      stamps.set(file, statSync(file).mtimeMs);
    } catch {
      stamps.set(file, -1);
    }
  };
  const inGit = insideGitWorkTree(root);
  const rules: { base: string; matcher: Ignore }[] = [];
  if (inGit) {
    stamp(path.join(root, '.git', 'info', 'exclude'));
    const exclude = readText(path.join(root, '.git', 'info', 'exclude'));
    if (exclude) rules.push({ base: '', matcher: ignore().add(exclude) });
  }
  const visit = (dir: string, rel: string, depth: number): void => {
    stamp(dir);
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    // Read only a .gitignore that is there: a failed read per folder costs more than the whole walk.
    const hasIgnoreFile = inGit && entries.some((entry) => entry.name === '.gitignore' && entry.isFile());
    if (hasIgnoreFile) stamp(path.join(dir, '.gitignore'));
    const added = hasIgnoreFile ? readText(path.join(dir, '.gitignore')) : null;
    if (added) rules.push({ base: rel, matcher: ignore().add(added) });
    for (const entry of entries) {
      const isDir = entry.isDirectory();
      if (!isDir && !entry.isFile()) continue;
      const childRel = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (rules.length > 0 && isIgnored(rules, childRel, isDir)) continue;
      out.push({ path: childRel, directory: isDir });
      if (isDir) visit(`${dir}/${entry.name}`, childRel, depth + 1);
    }
    if (added) rules.pop();
  };
  visit(root, '', 0);
  return out;
}

function isIgnored(rules: readonly { base: string; matcher: Ignore }[], rel: string, directory: boolean): boolean {
  for (const { base, matcher } of rules) {
    const local = base === '' ? rel : rel.startsWith(`${base}/`) ? rel.slice(base.length + 1) : null;
    if (local === null) continue;
    if (matcher.ignores(directory ? `${local}/` : local)) return true;
  }
  return false;
}

function insideGitWorkTree(root: string): boolean {
  for (let dir = root; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return true;
    if (path.dirname(dir) === dir) return false;
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/**
 * The best `limit` matches of `query` (case-insensitive fuzzy, fzf's algorithm) over the walked entries of each
 * root: score descending, then path. `indices` are character positions in `path`; a match whose positions all
 * fall in the file name gets the reference's file-name bonus. An empty query matches nothing.
 */
export function searchEntries(query: string, roots: ReadonlyArray<{ root: string; entries: readonly WalkedEntry[] }>, limit = MAX_MATCHES): FileMatch[] {
  if (query === '') return [];
  const matches: FileMatch[] = [];
  for (const { root, entries } of roots) {
    const finder = finderFor(entries);
    for (const found of finder.find(query)) {
      const indices = [...found.positions].sort((a, b) => a - b);
      const nameStart = found.item.path.lastIndexOf('/') + 1;
      // Folders never get the bonus (the reference scores `src/components` for `comp` without it).
      const inName = !found.item.directory && indices.length > 0 && indices[0]! >= nameStart;
      matches.push({
        root,
        path: found.item.path,
        match_type: found.item.directory ? 'directory' : 'file',
        file_name: found.item.path.slice(nameStart),
        score: found.score + (inName ? FILE_NAME_BONUS : 0),
        indices,
      });
    }
  }
  matches.sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return matches.slice(0, limit);
}

/** Above this many entries fzf's faster v1 algorithm scores (its v2, the optimal alignment, costs ~5x more). */
const V2_MAX_ENTRIES = 10_000;
const finders = new WeakMap<readonly WalkedEntry[], Fzf<WalkedEntry[]>>();

/** The matcher of one walked root, built once per entry list (a session's queries share it). */
function finderFor(entries: readonly WalkedEntry[]): Fzf<WalkedEntry[]> {
  let finder = finders.get(entries);
  if (!finder) {
    const fuzzy = entries.length > V2_MAX_ENTRIES ? 'v1' : 'v2';
    finder = new Fzf(entries as WalkedEntry[], { selector: (entry: WalkedEntry) => entry.path, casing: 'case-insensitive', fuzzy, sort: false });
    finders.set(entries, finder);
  }
  return finder;
}

/**
 * Walked roots kept between searches (an editor searches on every keystroke). A kept walk is reused while the
 * modification time of every folder it read, and of every ignore file, is unchanged: adding, removing or renaming
 * an entry changes its folder's mtime, so the answer is the one a fresh walk would give, for a `stat` per folder
 * instead of a `readdir`. Any change means one fresh walk. At most {@link MAX_KEPT_ROOTS} roots are kept.
 */
export class WalkCache {
  private readonly kept = new Map<string, { entries: WalkedEntry[]; stamps: Map<string, number> }>();

  entries(root: string): WalkedEntry[] {
    const kept = this.kept.get(root);
    if (kept && unchanged(kept.stamps)) return kept.entries;
    const stamps = new Map<string, number>();
    const entries = walkRoot(root, stamps);
    this.kept.delete(root);
    this.kept.set(root, { entries, stamps });
    if (this.kept.size > MAX_KEPT_ROOTS) this.kept.delete(this.kept.keys().next().value!);
    return entries;
  }
}

const MAX_KEPT_ROOTS = 8;

function unchanged(stamps: ReadonlyMap<string, number>): boolean {
  for (const [file, mtimeMs] of stamps) {
    let now: number;
    try {
      now = statSync(file).mtimeMs;
    } catch {
      now = -1;
    }
    if (now !== mtimeMs) return false;
  }
  return true;
}

/** `fuzzyFileSearch`: the roots' walks (kept ones when still valid) matched against the query. */
export function fuzzyFileSearch(query: string, roots: readonly string[], walks: WalkCache = new WalkCache()): FileMatch[] {
  if (query === '') return [];
  return searchEntries(query, roots.map((root) => ({ root, entries: walks.entries(root) })));
}
