/**
 * The sandbox a command (or a patch) runs under, as `sandbox_mode` / `sandboxPolicy` give it, and the roots it may
 * write. Facts from the reference 0.169 (its `permission_profile` for workspace-write): the cwd, `/tmp`
 * (`:slash_tmp`) and `$TMPDIR` (`:tmpdir`) are writable, and inside each writable root `.git`, `.agents`, `.codex`
 * and `.aws` stay read-only.
 */
import path from 'node:path';

export type SandboxMode = 'read-only' | 'workspace-write' | 'danger-full-access';

export interface SandboxPolicy {
  mode: SandboxMode;
  /** workspace-write: extra writable roots (absolute), besides the cwd. */
  writableRoots: string[];
  networkAccess: boolean;
  /** workspace-write: leave `$TMPDIR` / `/tmp` read-only. */
  excludeTmpdirEnvVar: boolean;
  excludeSlashTmp: boolean;
}

/** A root the sandbox lets a command write, with the subpaths that stay read-only inside it. */
export interface WritableRoot {
  root: string;
  readOnlySubpaths: string[];
}

/** Subdirectories of every writable root that stay read-only (whether they exist or not), as the reference protects them. */
export const PROTECTED_SUBPATHS = ['.git', '.agents', '.codex', '.aws'] as const;

/**
 * The writable roots of a policy for a command running in `cwd` (none for read-only; null for full access).
 * `alsoReadOnly` (e.g. CODEX_HOME) stays read-only when it falls inside a writable root: a command must not rewrite
 * the server's rollouts and config, whatever its cwd (the reference has no such rule; we fail safe).
 */
export function writableRootsOf(
  policy: SandboxPolicy,
  cwd: string,
  tmpdir: string | undefined,
  alsoReadOnly: readonly string[] = [],
): WritableRoot[] | null {
  if (policy.mode === 'danger-full-access') return null;
  if (policy.mode === 'read-only') return [];
  const roots = [cwd, ...policy.writableRoots];
  if (!policy.excludeSlashTmp) roots.push('/tmp');
  if (!policy.excludeTmpdirEnvVar && tmpdir) roots.push(tmpdir);
  const unique = [...new Set(roots.map((r) => path.resolve(r)))];
  return unique.map((root) => ({
    root,
    readOnlySubpaths: [
      ...PROTECTED_SUBPATHS.map((p) => path.join(root, p)),
      ...alsoReadOnly.map((p) => path.resolve(p)).filter((p) => p !== root && isInside(p, root)),
    ],
  }));
}

/** Whether `p` is `dir` or below it (both absolute, normalised). */
export function isInside(p: string, dir: string): boolean {
  return p === dir || p.startsWith(dir.endsWith(path.sep) ? dir : dir + path.sep);
}

/** Whether the policy lets a tool write `target` (absolute, already resolved). */
export function mayWrite(roots: WritableRoot[] | null, target: string): boolean {
  if (roots === null) return true;
  return roots.some((r) => isInside(target, r.root) && !r.readOnlySubpaths.some((ro) => isInside(target, ro)));
}
