/**
 * The bubblewrap command line that confines one command (issue 14), after the reference 0.169's own
 * (`codex-linux-sandbox` → `bwrap`, seen in its process list):
 *
 *   bwrap --new-session --die-with-parent --ro-bind / / --dev /dev
 *         --bind <root> <root> (per writable root, parents first) --ro-bind <root>/.git … (per protected subpath)
 *         --unshare-user --unshare-pid --unshare-ipc [--unshare-net] --proc /proc --cap-drop ALL -- <command>
 *
 * Differences, on purpose: the reference then applies a seccomp filter inside (we rely on `--unshare-net` for "no
 * network"), and it mounts an empty read-only tmpfs over protected subpaths that do not exist (creating empty
 * `.git`/`.codex`/… directories in the user's tree as mount points); we only re-bind the ones that exist.
 * `--die-with-parent` plus `--unshare-pid` make killing bwrap kill everything the command started.
 */
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
  const roots = writableRootsOf(request.policy, request.cwd, request.tmpdir, request.alsoReadOnly);
  if (roots === null) return null;
  // `--new-session` even for a tty command, as the reference (a new session: no TIOCSTI into the caller's terminal).
  const argv = [request.bwrapPath, '--new-session', '--die-with-parent', '--ro-bind', '/', '/', '--dev', '/dev'];
  // Parents before children, so a nested root's bind is not hidden by its parent's.
  const ordered = roots.filter((r) => request.exists(r.root)).sort((a, b) => depth(a.root) - depth(b.root) || a.root.localeCompare(b.root));
  for (const root of ordered) {
    argv.push('--bind', root.root, root.root);
    for (const sub of root.readOnlySubpaths) {
      if (request.exists(sub)) argv.push('--ro-bind', sub, sub);
    }
  }
  argv.push('--unshare-user', '--unshare-pid', '--unshare-ipc');
  if (!request.policy.networkAccess) argv.push('--unshare-net');
  argv.push('--proc', '/proc', '--cap-drop', 'ALL', '--chdir', request.cwd, '--', ...request.command);
  return argv;
}

function depth(p: string): number {
  return p.split('/').filter(Boolean).length;
}
