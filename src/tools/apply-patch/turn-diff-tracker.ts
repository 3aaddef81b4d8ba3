/**
 * The net diff of one turn's successful patches, for `turn/diff/updated` (reference: codex-rs/core/src/
 * turn_diff_tracker.rs). It keeps each path's text from before the turn first touched it and its current text, as
 * the patches say (the workspace is never re-read), and renders them as one git-style diff:
 *
 *     diff --git a/<path> b/<path>
 *     new file mode 100644            (or `deleted file mode 100644`; nothing for a change)
 *     index <blob sha1>..<blob sha1>  (zeros for a missing side)
 *     --- a/<path>                    (`/dev/null` for a missing side)
 *     +++ b/<path>
 *     @@ … @@                         (context 3)
 *
 * Paths are shown relative to the display root (the root of the git repository holding the thread's cwd, else the
 * cwd: {@link diffDisplayRoot}) when under it, else absolute (`a//abs/path`),
 * files in byte order of that display path. A file added then deleted in the turn, or changed back, drops out;
 * a move whose source existed before the turn is one rename entry.
 *
 * When the reference sends it: after each successful patch (right after the item's `item/completed`), and after
 * each model response of the turn completes (after its `thread/tokenUsage/updated` and
 * `account/rateLimits/updated`), each time only when the diff is not empty.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { unifiedDiff } from './unified-diff.js';
import type { FileChange, PatchAction } from './verify.js';
import { nodeCrypto } from '../../support/lazy-modules.js';

const ZERO_OID = '0000000000000000000000000000000000000000';
const DEV_NULL = '/dev/null';
const REGULAR_FILE_MODE = '100644';

/** Git's blob id of a text: sha1 of `blob <byte length>\0<bytes>`. */
export function gitBlobOid(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return nodeCrypto().createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export class TurnDiffTracker {
  private readonly baseline = new Map<string, string>();
  private readonly current = new Map<string, string>();
  /** Move destination → the path its text came from before the turn. */
  private readonly origin = new Map<string, string>();

  /** `displayRoot`: paths under it are shown relative to it (the thread's cwd). */
  constructor(private readonly displayRoot: string | null = null) {}

  /** Records a patch that applied successfully. */
  track(action: PatchAction): void {
    for (const change of action.changes) this.applyChange(change);
  }

  /** Records `action` and returns the turn's diff after it (null when there is no net change). */
  diffAfter(action: PatchAction): string | null {
    this.track(action);
    return this.unifiedDiff();
  }

  /** The turn's aggregated diff, or null when it is empty. */
  unifiedDiff(): string | null {
    const renames = this.renamePairs();
    const renameDestinations = new Set(renames.values());
    const handled = new Set<string>();
    const paths = [...new Set([...this.baseline.keys(), ...this.current.keys()])].sort((a, b) =>
      Buffer.compare(Buffer.from(this.display(a)), Buffer.from(this.display(b))),
    );
    let out = '';
    for (const p of paths) {
      if (handled.has(p)) continue;
      handled.add(p);
      if (renameDestinations.has(p)) continue;
      const dest = renames.get(p);
      let diff: string | null;
      if (dest !== undefined) {
        handled.add(dest);
        diff = this.render(p, this.baseline.get(p) ?? null, dest, this.current.get(dest) ?? null);
      } else {
        diff = this.render(p, this.baseline.get(p) ?? null, p, this.current.get(p) ?? null);
      }
      if (diff !== null) {
        out += diff;
        if (!out.endsWith('\n')) out += '\n';
      }
    }
    return out === '' ? null : out;
  }

  private applyChange(change: FileChange): void {
    const p = change.path;
    if (change.kind === 'add') {
      this.origin.delete(p);
      if (!this.current.has(p) && !this.baseline.has(p) && change.previous !== null) this.baseline.set(p, change.previous);
      this.current.set(p, change.content);
      return;
    }
    if (change.kind === 'delete') {
      const wasCurrent = this.current.delete(p);
      if (!wasCurrent && !this.baseline.has(p)) this.baseline.set(p, change.content);
      this.origin.delete(p);
      return;
    }
    if (!this.current.has(p) && !this.baseline.has(p)) this.baseline.set(p, change.oldContent);
    const dest = change.movePath;
    if (dest === null) {
      this.current.set(p, change.newContent);
      return;
    }
    if (!this.current.has(dest) && !this.baseline.has(dest) && change.overwrittenMoveContent !== null) {
      this.baseline.set(dest, change.overwrittenMoveContent);
    }
    const origin = this.origin.get(p) ?? p;
    this.origin.delete(p);
    this.current.delete(p);
    this.current.set(dest, change.newContent);
    this.origin.delete(dest);
    if (dest !== origin) this.origin.set(dest, origin);
  }

  /** Source → destination of the moves that read as renames (source gone, destination new). */
  private renamePairs(): Map<string, string> {
    const pairs = new Map<string, string>();
    for (const [dest, origin] of this.origin) {
      if (dest === origin || this.current.has(origin) || !this.current.has(dest) || !this.baseline.has(origin) || this.baseline.has(dest)) continue;
      pairs.set(origin, dest);
    }
    return pairs;
  }

  private render(leftPath: string, left: string | null, rightPath: string, right: string | null): string | null {
    if (left === right) return null;
    const leftShown = this.display(leftPath);
    const rightShown = this.display(rightPath);
    let diff = `diff --git a/${leftShown} b/${rightShown}\n`;
    if (left === null) diff += `new file mode ${REGULAR_FILE_MODE}\n`;
    else if (right === null) diff += `deleted file mode ${REGULAR_FILE_MODE}\n`;
    diff += `index ${left === null ? ZERO_OID : gitBlobOid(left)}..${right === null ? ZERO_OID : gitBlobOid(right)}\n`;
    const header = { old: left === null ? DEV_NULL : `a/${leftShown}`, new: right === null ? DEV_NULL : `b/${rightShown}` };
    return diff + unifiedDiff(left ?? '', right ?? '', 3, header);
  }

  private display(p: string): string {
    const root = this.displayRoot;
    if (root !== null) {
      const rel = path.relative(root, p);
      if (rel === '') return '';
      if (rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)) return rel;
    }
    return p;
  }
}

/**
 * Where the turn diff's paths are relative to: the nearest directory at or above `cwd` holding a `.git` (directory
 * or file, as in a worktree), else `cwd` itself (reference behaviour, checked against 0.169).
 */
export async function diffDisplayRoot(cwd: string, exists: (p: string) => Promise<boolean> = pathExists): Promise<string> {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (await exists(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(cwd);
  }
}

const pathExists = (p: string): Promise<boolean> => stat(p).then(() => true, () => false);

/**
 * The trackers of one thread's turns. The apply_patch handler records into the running turn's tracker; the turn
 * runner asks it for the diff after each model response and drops it when the turn ends.
 */
export class TurnDiffs {
  private readonly byTurn = new Map<string, TurnDiffTracker>();

  constructor(private readonly displayRoot: (turnId: string) => string | null = () => null) {}

  /** The turn's tracker, created on first use. */
  tracker(turnId: string, displayRoot?: string): TurnDiffTracker {
    let tracker = this.byTurn.get(turnId);
    if (!tracker) {
      tracker = new TurnDiffTracker(displayRoot ?? this.displayRoot(turnId));
      this.byTurn.set(turnId, tracker);
    }
    return tracker;
  }

  /** The turn's current diff, or null (no patch yet, or no net change). */
  diffOf(turnId: string): string | null {
    return this.byTurn.get(turnId)?.unifiedDiff() ?? null;
  }

  endTurn(turnId: string): void {
    this.byTurn.delete(turnId);
  }
}
