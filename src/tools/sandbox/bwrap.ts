/**
 * The bubblewrap command line that confines one command (issue 14), after the reference 0.169's own
 * (`codex-linux-sandbox` → `bwrap`, seen in its process list):
 *
 *   bwrap --new-session --die-with-parent --ro-bind / / --dev /dev
 *         --bind <root> <root> (per writable root, parents first) --ro-bind <root>/.git … (per protected subpath)
 *         --unshare-user --unshare-pid --unshare-ipc [--unshare-net] --proc /proc --cap-drop ALL -- <command>
 *
 * A protected subpath that does not exist gets an empty read-only tmpfs (`--perms 555 --tmpfs p --remount-ro p`),
 * as the reference does, so a command cannot create `.git` or `.codex` (project config) either; bwrap creates an
 * empty directory on the host as the mount point, which the caller removes after the command (`syntheticTargets`).
 * Difference, on purpose: the reference then applies a seccomp filter inside; we rely on `--unshare-net` for "no
 * network". `--die-with-parent` plus `--unshare-pid` make killing bwrap kill everything the command started.
 */
import path from 'node:path';
import type { SandboxPolicy } from './policy.js';
import { writableRootsOf } from './policy.js';

export interface BwrapRequest {
  bwrapPath: string;
  policy: SandboxPolicy;
  /** The directory the command runs in (absolute). Writable roots are derived from the sandbox cwd, here the same. */
  cwd: string;
  /** `$TMPDIR` of the command's environment, if any. */
  tmpdir: string | undefined;
  /** Paths kept read-only even inside a writable root (CODEX_HOME). */
  alsoReadOnly: readonly string[];
  /** Whether a path exists (injected: tests and the real filesystem). */
  exists(path: string): boolean;
  /** The command's argv, e.g. `['/bin/bash', '-lc', 'echo hi']`. */
  command: readonly string[];
}

/** The argv to spawn (bwrap first) for a sandboxed policy, or null for danger-full-access (run the command directly). */
export function bwrapArgv(request: BwrapRequest): string[] | null {
  return bwrapPlan(request)?.argv ?? null;
}

export interface BwrapPlan {
  argv: string[];
  /** Missing protected subpaths that bwrap will create (empty) on the host as mount points. */
  syntheticTargets: string[];
}

export function bwrapPlan(request: BwrapRequest): BwrapPlan | null {
  const roots = writableRootsOf(request.policy, request.cwd, request.tmpdir, request.alsoReadOnly);
  if (roots === null) return null;
  const syntheticTargets: string[] = [];
  const alsoReadOnly = new Set(request.alsoReadOnly.map((p) => path.resolve(p)));
  // `--new-session` even for a tty command, as the reference (a new session: no TIOCSTI into the caller's terminal).
  const argv = [request.bwrapPath, '--new-session', '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev'];
  // Parents before children, so a nested root's bind is not hidden by its parent's.
  const ordered = roots.filter((r) => request.exists(r.root)).sort((a, b) => depth(a.root) - depth(b.root) || a.root.localeCompare(b.root));
  for (const root of ordered) {
    argv.push('--bind', root.root, root.root);
    for (const sub of root.readOnlySubpaths) {
      if (request.exists(sub)) {
        argv.push('--ro-bind', sub, sub);
      } else if (!alsoReadOnly.has(sub)) {
        argv.push('--perms', '555', '--tmpfs', sub, '--remount-ro', sub);
        syntheticTargets.push(sub);
      }
    }
  }
  argv.push('--unshare-user', '--unshare-pid', '--unshare-ipc');
  if (!request.policy.networkAccess) argv.push('--unshare-net');
  argv.push('--proc', '/proc', '--cap-drop', 'ALL', '--chdir', request.cwd, '--', ...request.command);
  return { argv, syntheticTargets };
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}
