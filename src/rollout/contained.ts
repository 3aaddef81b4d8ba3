import { lstatSync } from 'node:fs';
import { lstat } from 'node:fs/promises';
import path from 'node:path';

/**
 * True when `p` lies under `root` and no existing component between them is a symlink, so following `p`
 * cannot leave `root`. Components that do not exist yet count as contained (`mkdir` creates real
 * directories). The store calls this before it reads, writes or moves a rollout.
 */
export async function isContained(root: string, p: string): Promise<boolean> {
  const rel = relativeInside(root, p);
  if (rel === null) return false;
  let current = root;
  for (const part of rel.split(path.sep)) {
    current = path.join(current, part);
    try {
      if ((await lstat(current)).isSymbolicLink()) return false;
    } catch (error) {
      return (error as NodeJS.ErrnoException).code === 'ENOENT';
    }
  }
  return true;
}

/**
 * `p` relative to `root` when `p` lies strictly below `root` (lexically, after resolving both), else null. A
 * component that merely starts with two dots (`..x`) is a name like any other, not a step up.
 */
export function relativeInside(root: string, p: string): string | null {
  const rel = path.relative(path.resolve(root), path.resolve(p));
  const up = rel === '..' || rel.startsWith(`..${path.sep}`);
  return rel === '' || up || path.isAbsolute(rel) ? null : rel;
}

/**
 * A real directory (not a symlink to one). Synchronous: one `lstat` of a local path costs a few µs, a
 * thread-pool round trip (fs/promises) ten times that, and the listing calls this on every request.
 */
export function isRealDirectory(p: string): boolean {
  try {
    return lstatSync(p, { throwIfNoEntry: false })?.isDirectory() ?? false;
  } catch {
    return false;
  }
}
